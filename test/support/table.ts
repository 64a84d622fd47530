import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '../../functions/deps.js';

/**
 * Every item of the test's table, by entity. Tests and the offline benchmark checks may Scan:
 * they verify the whole table; request paths never do.
 */
export async function everything(deps: Pick<Deps, 'db'>): Promise<Map<string, Record<string, any>[]>> {
  const byEntity = new Map<string, Record<string, any>[]>();
  let start: Record<string, unknown> | undefined;
  do {
    const out = await deps.db.doc.send(new ScanCommand({ TableName: deps.db.tableName, ExclusiveStartKey: start, ConsistentRead: true }));
    for (const item of out.Items ?? []) byEntity.set(String(item.entity), [...(byEntity.get(String(item.entity)) ?? []), item]);
    start = out.LastEvaluatedKey;
  } while (start);
  return byEntity;
}

/** Every item of one entity. */
export async function scanEntity(deps: Pick<Deps, 'db'>, entity: string): Promise<Record<string, any>[]> {
  return (await everything(deps)).get(entity) ?? [];
}
