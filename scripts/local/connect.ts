import { createDb, type Db } from '../../functions/store/client.js';
import { ensureTable } from '../../functions/store/create-table.js';
import { LOCAL_CREDENTIALS, LOCAL_DATA_DIR, LOCAL_DYNAMO_PORT, startDynamoLocal, type DynamoLocal } from './dynamodb-local.js';

/**
 * The table for a CLI (admin, seed): the running platform's DynamoDB Local, or one started on
 * .data/ for the duration of the command when the platform is not running. With `aws`, the
 * deployed table named by TABLE_NAME, with the ambient AWS credentials.
 */
export async function connect(options: { aws?: boolean } = {}): Promise<{ db: Db; close: () => Promise<void> }> {
  const tableName = process.env.TABLE_NAME ?? 'placard';
  if (options.aws) return { db: createDb(tableName, { region: process.env.AWS_REGION }), close: async () => {} };
  const endpoint = `http://127.0.0.1:${LOCAL_DYNAMO_PORT}`;
  let started: DynamoLocal | undefined;
  try {
    await fetch(endpoint);
  } catch {
    started = await startDynamoLocal({ port: LOCAL_DYNAMO_PORT, dbPath: LOCAL_DATA_DIR });
  }
  const db = createDb(tableName, { endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  await ensureTable(db.client, tableName);
  return { db, close: async () => started?.stop() };
}
