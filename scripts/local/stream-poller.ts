import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, type DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { consumers, handleStream } from '../../functions/background/stream.js';
import type { Deps } from '../../functions/deps.js';

interface ShardState {
  iterator: string;
  /** Records the handler failed on; retried before anything newer, as Lambda would. */
  pending: DynamoDBRecord[];
}

/**
 * Polls the table's stream and feeds it to the same handler the stream Lambda runs. Shards seen
 * at start are read from LATEST (what happened while stopped is not replayed); shards that open
 * later are read from their start.
 */
export function startStreamPoller(deps: Deps, streams: DynamoDBStreamsClient, intervalMs = 500): { stop(): Promise<void> } {
  const shards = new Map<string, ShardState>();
  const closed = new Set<string>();
  let first = true;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  async function discover(streamArn: string): Promise<void> {
    const out = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of out.StreamDescription?.Shards ?? []) {
      const id = shard.ShardId;
      if (!id || shards.has(id) || closed.has(id)) continue;
      const type = first ? 'LATEST' : 'TRIM_HORIZON';
      const it = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: id, ShardIteratorType: type }));
      if (it.ShardIterator) shards.set(id, { iterator: it.ShardIterator, pending: [] });
    }
    first = false;
  }

  async function tick(): Promise<void> {
    const table = await deps.db.client.send(new DescribeTableCommand({ TableName: deps.db.tableName }));
    const arn = table.Table?.LatestStreamArn;
    if (!arn) return;
    await discover(arn);
    for (const [id, state] of shards) {
      const out = await streams.send(new GetRecordsCommand({ ShardIterator: state.iterator }));
      const batch = [...state.pending, ...((out.Records ?? []) as _Record[] as DynamoDBRecord[])];
      const result = await handleStream(deps, batch, consumers, { skipUndecodable: true });
      const failed = result.batchItemFailures[0]?.itemIdentifier;
      const at = failed === undefined ? -1 : batch.findIndex((r) => r.dynamodb?.SequenceNumber === failed);
      state.pending = at >= 0 ? batch.slice(at) : [];
      if (out.NextShardIterator) state.iterator = out.NextShardIterator;
      else if (state.pending.length === 0) {
        shards.delete(id);
        closed.add(id);
      }
    }
  }

  const timer = setInterval(() => {
    running = running.then(() => (stopped ? undefined : tick())).catch((error: unknown) => deps.logger.warn('stream poll failed', { error }));
  }, intervalMs);

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
