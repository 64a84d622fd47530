/**
 * Operator CLI.
 *   npm run admin -- create-key [--aws]
 * Prints a new admin API key, on the platform tenant (a reserved id that no signup can claim).
 * Locally it uses the running platform's DynamoDB Local (found through .data/runner.json) and
 * says so when none runs. With `--aws`, it writes to the deployed table named by TABLE_NAME with
 * the ambient AWS credentials.
 */
import { parseArgs } from 'node:util';
import { createAdminKey } from '../functions/app/tenants/api-keys.js';
import { systemClock } from '../functions/core/shared/clock.js';
import { ulidIds } from '../functions/core/shared/ids.js';
import { connect } from './local/connect.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { aws: { type: 'boolean', default: false } },
});

async function main(): Promise<void> {
  const [command] = positionals;
  if (command !== 'create-key') {
    console.error('usage: npm run admin -- create-key [--aws]');
    process.exit(2);
  }
  const { db, close } = await connect({ aws: values.aws });
  try {
    console.log((await createAdminKey({ db, clock: systemClock, ids: ulidIds(systemClock) })).key);
  } finally {
    await close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
