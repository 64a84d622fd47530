import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { StreamConsumer } from '../../functions/background/stream-consumer.js';
import type { Change } from '../../functions/store/stream-records.js';
import { handleStream } from '../../functions/background/stream.js';
import { streamRecord } from '../fixtures/events.js';
import { testDeps } from '../support/deps.js';

const item = (id: string) => ({ pk: `THING#${id}`, sk: 'THING', entity: 'thing', id, version: 1 });

describe('handleStream', () => {
  it('feeds records in order and reports the first failure so Lambda retries from there', async () => {
    const deps = await testDeps();
    const seen: string[] = [];
    const flaky: StreamConsumer = {
      name: 'flaky',
      async handle(_deps, change: Change) {
        if (change.newImage?.id === 'b') throw new Error('downstream is down');
        seen.push(String(change.newImage?.id));
      },
    };
    const out = await handleStream(
      deps,
      [streamRecord('INSERT', item('a'), '1'), streamRecord('INSERT', item('b'), '2'), streamRecord('INSERT', item('c'), '3')],
      [flaky],
    );
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: '2' }]);
    expect(seen).toEqual(['a']);
  });

  it('skips records of items without an entity', async () => {
    const deps = await testDeps();
    const seen: string[] = [];
    const consumer: StreamConsumer = { name: 'all', handle: async (_d, c) => void seen.push(c.entity) };
    const out = await handleStream(deps, [streamRecord('INSERT', { pk: 'X', sk: 'Y' }, '1'), streamRecord('MODIFY', item('a'), '2')], [consumer]);
    expect(out.batchItemFailures).toEqual([]);
    expect(seen).toEqual(['thing']);
  });

  describe('a record that cannot be decoded (an attribute value with no type, as DynamoDB Local streams an empty map)', () => {
    const poison = () => {
      const record = streamRecord('INSERT', item('p'), '2');
      (record.dynamodb!.NewImage as Record<string, unknown>).audience = { M: { ageBand: {} } };
      return record;
    };
    const records = () => [streamRecord('INSERT', item('a'), '1'), poison(), streamRecord('INSERT', item('c'), '3')];

    it('is skipped and counted by the local poller, and the records after it are still handled', async () => {
      const deps = await testDeps();
      const seen: string[] = [];
      const consumer: StreamConsumer = { name: 'all', handle: async (_d, c) => void seen.push(String(c.newImage?.id)) };
      const out = await handleStream(deps, records(), [consumer], { skipUndecodable: true });
      expect(out.batchItemFailures).toEqual([]);
      expect(seen).toEqual(['a', 'c']);
      const stats = await deps.db.doc.send(new GetCommand({ TableName: deps.db.tableName, Key: { pk: 'SYSTEM', sk: 'STATS' } }));
      expect(stats.Item?.count_stream_undecodable).toBe(1);
    });

    it('is the batch item failure on Lambda, so the event source retries it and dead-letters it', async () => {
      const deps = await testDeps();
      const seen: string[] = [];
      const consumer: StreamConsumer = { name: 'all', handle: async (_d, c) => void seen.push(String(c.newImage?.id)) };
      const out = await handleStream(deps, records(), [consumer]);
      expect(out.batchItemFailures).toEqual([{ itemIdentifier: '2' }]);
      expect(seen).toEqual(['a']);
    });
  });
});
