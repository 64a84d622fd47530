import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import type { Deps } from '../deps.js';
import { toChange, type Change } from '../store/stream-records.js';
import { addToCount } from '../store/system.js';
import type { StreamConsumer } from './stream-consumer.js';
import { webhookNotifications } from './webhooks.js';

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
    await addToCount(deps.db, label, change.kind === 'INSERT' ? 1 : -1);
  },
};

export const consumers: StreamConsumer[] = [entityCounts, webhookNotifications];

export interface StreamOptions {
  /**
   * What to do with a record that cannot be decoded (it will never decode, however often it is
   * retried). Lambda (the default, false): report it as the batch's first failure, so the event
   * source retries it a bounded number of times, bisecting, and then sends it to the dead-letter
   * queue (infra/constructs/stream-processing.ts) and moves on. The local poller (true), which
   * has no dead-letter queue: log it, count it in the stats item (`count_stream_undecodable`)
   * and go on with the next record.
   */
  skipUndecodable?: boolean;
}

/**
 * Feeds each record to every consumer, in order. On a failure it stops and reports that record
 * as the first failure, so Lambda retries from there (with bisect-on-error) and order is kept.
 * Decoding is inside the error handling: a record that cannot be decoded fails (or is skipped)
 * alone, it does not throw the whole batch away.
 */
export async function handleStream(
  deps: Deps,
  records: readonly DynamoDBRecord[],
  list: readonly StreamConsumer[] = consumers,
  options: StreamOptions = {},
): Promise<DynamoDBBatchResponse> {
  for (const record of records) {
    const id = record.dynamodb?.SequenceNumber ?? record.eventID ?? '';
    let change: Change | undefined;
    try {
      change = toChange(record);
    } catch (error) {
      deps.logger.error('stream record cannot be decoded', {
        sequenceNumber: id,
        keys: record.dynamodb?.Keys,
        skipped: options.skipUndecodable === true,
        error,
      });
      if (!options.skipUndecodable) return { batchItemFailures: [{ itemIdentifier: id }] };
      await addToCount(deps.db, 'stream_undecodable', 1);
      continue;
    }
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
