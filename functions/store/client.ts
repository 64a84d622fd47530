import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TxOp } from './entity.js';

/**
 * The writes of a request that carries an Idempotency-Key (http/idempotency.ts), held back so that
 * its last transaction commits together with the key's completion and response (transact.ts).
 */
export interface WriteUnit {
  pending?: TxOp[];
}

export interface Db {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** Set for a request with an Idempotency-Key: its transactions commit with the key (transact.ts). */
  unit?: WriteUnit;
}

/** One shared document client per process. */
export function createDb(tableName: string, clientConfig: DynamoDBClientConfig = {}): Db {
  const client = new DynamoDBClient(clientConfig);
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return { client, doc, tableName };
}
