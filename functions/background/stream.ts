import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import type { Deps } from '../deps.js';
import { keys } from '../store/keys.js';
import { webhookNotifications } from './webhooks.js';

/** One item's change, unmarshalled. */
export interface Change {
  id: string;
  kind: 'INSERT' | 'MODIFY' | 'REMOVE';
  entity: string;
  newImage?: Record<string, unknown>;
  oldImage?: Record<string, unknown>;
}

/** Something the stream feeds: webhooks, report rollups, index refreshes. */
export interface StreamConsumer {
  name: string;
  handle(deps: Deps, change: Change): Promise<void>;
}

/**
 * Counts tenants, accounts, orders… as items come and go, for the operator's overview. The
 * stream delivers at least once, so after a retried batch a count can be off by the retried
 * records: good for a dashboard, never used for money.
 */
const COUNTED = new Set(['tenant', 'account', 'slot', 'adUnit', 'order', 'campaign', 'creative']);
export const entityCounts: StreamConsumer = {
  name: 'entity-counts',
  async handle(deps, change) {
    if (change.kind === 'MODIFY' || !COUNTED.has(change.entity)) return;
    const image = change.newImage ?? change.oldImage ?? {};
    const label = change.entity === 'tenant' ? `tenant_${String(image.role)}` : change.entity;
    // Counts are top-level attributes, so ADD starts each from zero without a setup write.
    await deps.db.doc.send(
      new UpdateCommand({
        TableName: deps.db.tableName,
        Key: keys.stats(),
        UpdateExpression: 'ADD #label :delta SET entity = :entity',
        ExpressionAttributeNames: { '#label': `count_${label}` },
        ExpressionAttributeValues: { ':delta': change.kind === 'INSERT' ? 1 : -1, ':entity': 'stats' },
      }),
    );
  },
};

export const consumers: StreamConsumer[] = [entityCounts, webhookNotifications];

export function toChange(record: DynamoDBRecord): Change | undefined {
  const db = record.dynamodb;
  if (!db || !record.eventName) return undefined;
  const newImage = db.NewImage ? unmarshall(db.NewImage as Record<string, AttributeValue>) : undefined;
  const oldImage = db.OldImage ? unmarshall(db.OldImage as Record<string, AttributeValue>) : undefined;
  const entity = (newImage ?? oldImage)?.entity;
  if (typeof entity !== 'string') return undefined;
  return { id: db.SequenceNumber ?? record.eventID ?? '', kind: record.eventName, entity, newImage, oldImage };
}

/**
 * Feeds each record to every consumer, in order. On a failure it stops and reports that record
 * as the first failure, so Lambda retries from there (with bisect-on-error) and order is kept.
 */
export async function handleStream(deps: Deps, records: readonly DynamoDBRecord[], list: readonly StreamConsumer[] = consumers): Promise<DynamoDBBatchResponse> {
  for (const record of records) {
    const change = toChange(record);
    if (!change) continue;
    try {
      for (const consumer of list) await consumer.handle(deps, change);
    } catch (error) {
      deps.logger.error('stream record failed', { sequenceNumber: change.id, entity: change.entity, error });
      return { batchItemFailures: [{ itemIdentifier: change.id }] };
    }
  }
  return { batchItemFailures: [] };
}
