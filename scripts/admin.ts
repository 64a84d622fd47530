/**
 * Operator CLI.
 *   npm run admin -- create-key [--name NAME] [--email EMAIL]
 * Prints a new admin API key. Locally it uses the running platform's DynamoDB Local, or starts
 * one on .data/ when the platform is not running. With TABLE_NAME set and no local endpoint
 * (`--aws`), it writes to the deployed table with the ambient AWS credentials.
 */
import { parseArgs } from 'node:util';
import type { Db } from '../functions/store/client.js';
import { systemClock } from '../functions/core/shared/clock.js';
import { ulidIds } from '../functions/core/shared/ids.js';
import { tenantStore } from '../functions/store/tenants.js';
import { connect } from './local/connect.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string', default: 'Operator' },
    email: { type: 'string', default: 'admin@placard.local' },
    aws: { type: 'boolean', default: false },
  },
});

async function createKey(db: Db): Promise<string> {
  const tenants = tenantStore(db, systemClock, ulidIds(systemClock));
  const existing = await tenants.findIdByEmail(values.email);
  if (existing) return (await tenants.createKey(existing, 'admin')).key;
  return (await tenants.create({ role: 'admin', name: values.name, email: values.email })).key.key;
}

async function main(): Promise<void> {
  const [command] = positionals;
  if (command !== 'create-key') {
    console.error('usage: npm run admin -- create-key [--name NAME] [--email EMAIL] [--aws]');
    process.exit(2);
  }
  const { db, close } = await connect({ aws: values.aws });
  try {
    console.log(await createKey(db));
  } finally {
    await close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
