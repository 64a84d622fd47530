import { createDb, type Db } from '../../functions/store/client.js';
import { ensureTable } from '../../functions/store/create-table.js';
import { LOCAL_CREDENTIALS, LOCAL_DATA_DIR, startDynamoLocal, type DynamoLocal } from './dynamodb-local.js';
import { runningPlatform } from './runner-state.js';

/**
 * The table for a CLI (admin, seed): the running platform's DynamoDB Local, found through the
 * state file `npm start` writes (never a guessed port, which could be another instance's). When
 * no platform runs, `startIfNone` starts a DynamoDB Local on .data/ for the duration of the
 * command (seed); otherwise it fails saying so (admin). With `aws`, the deployed table named by
 * TABLE_NAME, with the ambient AWS credentials.
 */
export async function connect(options: { aws?: boolean; startIfNone?: boolean } = {}): Promise<{ db: Db; close: () => Promise<void> }> {
  const tableName = process.env.TABLE_NAME ?? 'placard';
  if (options.aws) return { db: createDb(tableName, { region: process.env.AWS_REGION }), close: async () => {} };
  const running = runningPlatform();
  let started: DynamoLocal | undefined;
  if (!running) {
    if (!options.startIfNone)
      throw new Error(`No local Placard is running (no live ${LOCAL_DATA_DIR}/runner.json): start it with \`npm start\`, or pass --aws for the deployed table`);
    started = await startDynamoLocal({ dbPath: LOCAL_DATA_DIR });
  }
  const endpoint = running?.dynamoEndpoint ?? started?.endpoint ?? '';
  const db = createDb(tableName, { endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  await ensureTable(db.client, tableName);
  return { db, close: async () => started?.stop() };
}
