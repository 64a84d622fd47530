import type { ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** What one DynamoDB call cost and touched. */
export interface CallCost {
  command: string;
  rcu: number;
  wcu: number;
  /** Of `wcu`, what the writes of global secondary index entries took. */
  indexWcu: number;
  /** Each item written, named by its key's kind (e.g. `Update BAL/BAL`, `Put ORDER/ORDER`). */
  writes: string[];
  /** Each item written, by its full key, and whether in a transaction. */
  items: { key: string; transactional: boolean }[];
}

// The document client may or may not have marshalled the input yet: read either form.
const text = (v: unknown): string => (typeof v === 'string' ? v : ((v as { S?: string } | undefined)?.S ?? '?'));
const label = (v: unknown): string => {
  const head = text(v).split('#')[0] ?? '?';
  return /^\d{4}-|^[a-z]+_/.test(head) ? '<id>' : head;
};
const kind = (key: Record<string, unknown> | undefined): string => `${label(key?.pk)}/${label(key?.sk)}`;
const fullKey = (key: Record<string, unknown> | undefined): string => `${text(key?.pk)}/${text(key?.sk)}`;

function itemsWritten(command: string, input: Record<string, any>): { key: string; transactional: boolean }[] {
  if (command === 'TransactWriteItemsCommand') {
    return (input.TransactItems ?? []).flatMap((t: Record<string, any>) => {
      const [op, body] = Object.entries(t)[0] ?? ['?', {}];
      return op === 'ConditionCheck' ? [] : [{ key: fullKey(body.Item ?? body.Key), transactional: true }];
    });
  }
  if (command === 'PutItemCommand') return [{ key: fullKey(input.Item), transactional: false }];
  if (command === 'UpdateItemCommand' || command === 'DeleteItemCommand') return [{ key: fullKey(input.Key), transactional: false }];
  return [];
}

function describeWrites(command: string, input: Record<string, any>): string[] {
  if (command === 'TransactWriteItemsCommand') {
    return (input.TransactItems ?? []).map((t: Record<string, any>) => {
      const [op, body] = Object.entries(t)[0] ?? ['?', {}];
      return `${op} ${kind(body.Item ?? body.Key)}`;
    });
  }
  if (command === 'PutItemCommand') return [`Put ${kind(input.Item)}`];
  if (command === 'UpdateItemCommand') return [`Update ${kind(input.Key)}`];
  if (command === 'DeleteItemCommand') return [`Delete ${kind(input.Key)}`];
  if (command === 'BatchWriteItemCommand') {
    return Object.values(input.RequestItems ?? {}).flatMap((reqs) =>
      (reqs as Record<string, any>[]).map((r) => (r.PutRequest ? `Put ${kind(r.PutRequest.Item)}` : `Delete ${kind(r.DeleteRequest?.Key)}`)),
    );
  }
  return [];
}

const list = (caps: ConsumedCapacity | ConsumedCapacity[] | undefined): ConsumedCapacity[] => (Array.isArray(caps) ? caps : caps ? [caps] : []);
const units = (caps: ConsumedCapacity | ConsumedCapacity[] | undefined): number => list(caps).reduce((total, c) => total + (c.CapacityUnits ?? 0), 0);
const indexUnits = (caps: ConsumedCapacity | ConsumedCapacity[] | undefined): number =>
  list(caps)
    .flatMap((c) => Object.values(c.GlobalSecondaryIndexes ?? {}))
    .reduce((total, c) => total + (c.CapacityUnits ?? 0), 0);
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand']);

/**
 * Asks DynamoDB for the consumed capacity of every call the client makes (ReturnConsumedCapacity
 * INDEXES: the total, indexes included, and each index's share) and records it, so a step can be
 * costed by what it really used.
 */
export function recordCapacity(client: DynamoDBClient): { take(): CallCost[] } {
  let calls: CallCost[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, any>;
      const command = context.commandName ?? 'unknown';
      if (!command.startsWith('Describe')) input.ReturnConsumedCapacity = 'INDEXES';
      const result = await next(args);
      const output = result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] };
      calls.push({
        command: command.replace(/Command$/, ''),
        // CapacityUnits is the call's total: read units for reads, write units for writes.
        rcu: WRITES.has(command) ? 0 : units(output.ConsumedCapacity),
        wcu: WRITES.has(command) ? units(output.ConsumedCapacity) : 0,
        indexWcu: WRITES.has(command) ? indexUnits(output.ConsumedCapacity) : 0,
        writes: describeWrites(command, input),
        items: itemsWritten(command, input),
      });
      return result;
    },
    { step: 'initialize', name: 'recordCapacity' },
  );
  return {
    /** The calls since the last take. */
    take() {
      const taken = calls;
      calls = [];
      return taken;
    },
  };
}
