import { beforeAll, describe, expect, it } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ChangeFeed, feedKeys } from '../../functions/store/change-feed.js';
import type { Deps } from '../../functions/deps.js';
import { testDeps, type MovableClock } from '../support/deps.js';

let deps: Deps;
let clock: MovableClock;

async function write(id: string, version: number, name: string): Promise<void> {
  const updatedAt = clock().toISOString();
  await deps.db.doc.send(
    new PutCommand({
      TableName: deps.db.tableName,
      Item: { pk: `THING#${id}`, sk: 'THING', entity: 'thing', version, id, name, updatedAt, ...feedKeys('market', updatedAt, id) },
    }),
  );
}

beforeAll(async () => {
  deps = await testDeps();
  clock = deps.clock as MovableClock;
});

describe('ChangeFeed', () => {
  it('loads everything first, then only what changed, keeping the newest version', async () => {
    const feed = new ChangeFeed<{ id: string; name: string }>(deps.db, 'market', clock, { overlapMs: 5_000, minIntervalMs: 1_000 });
    await write('a', 1, 'A');
    await write('b', 1, 'B');
    expect(await feed.refresh()).toBe(2);
    expect([...feed.items.keys()].sort()).toEqual(['a', 'b']);

    clock.advance(2_000);
    expect(await feed.refresh()).toBe(0);

    clock.advance(2_000);
    await write('a', 2, 'A2');
    clock.advance(2_000);
    expect(await feed.refresh()).toBe(1);
    expect(feed.items.get('a')?.name).toBe('A2');
    expect(feed.items.get('b')?.name).toBe('B');
  });

  it('looks at most once per interval', async () => {
    const feed = new ChangeFeed<{ id: string; name: string }>(deps.db, 'campaigns', clock, { overlapMs: 5_000, minIntervalMs: 60_000 });
    await feed.refresh();
    const updatedAt = clock().toISOString();
    await deps.db.doc.send(
      new PutCommand({
        TableName: deps.db.tableName,
        Item: { pk: 'C#1', sk: 'C', entity: 'c', version: 1, id: 'c1', name: 'late', ...feedKeys('campaigns', updatedAt, 'c1') },
      }),
    );
    expect(await feed.refresh()).toBe(0);
    expect(await feed.refresh(true)).toBe(1);
  });
});
