/**
 * Demo marketplace.
 *   npm run seed [-- --accounts 300 --days 30 --seed 42]
 * Fills the local table (the running platform's DynamoDB Local, or one on .data/) with publishers,
 * accounts, a month of slots from today and ad units, then prints a demo publisher key and a demo
 * advertiser key. On a table that already has a marketplace it only issues fresh demo keys.
 * `npm start -- --seed` calls seedIfEmpty on start.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parseConfig } from '../functions/config.js';
import { generateMarketplace } from './seed-data.js';
import { formatIsoDate } from '../functions/core/marketplace/slots.js';
import { createDeps, type Deps } from '../functions/deps.js';
import { batchWrite, marketIsEmpty, marketItems, type AccountRecord, type AdUnitRecord, type SlotRecord } from '../functions/store/marketplace.js';
import { tenantStore } from '../functions/store/tenants.js';
import { connect } from './local/connect.js';

export const SEED_DEFAULTS = { accounts: 300, days: 30, seed: 42 };
const DEMO_ADVERTISER_EMAIL = 'advertiser@demo.placard.local';
const publisherEmail = (n: number) => `publisher-${n}@demo.placard.local`;
/** Tenants made at once, and BatchWriteItem calls in flight. */
const PARALLEL = 8;

export interface SeedSummary {
  publishers: number;
  accounts: number;
  slots: number;
  adUnits: number;
  publisherKey: string;
  advertiserKey: string;
}

/**
 * Writes a generated marketplace: tenants (with keys) through the tenant store, then accounts,
 * slots with their uniqueness guards, and ad units in batches of 25. Every item is built by the
 * same builders the API's writes use.
 */
export async function seedMarketplace(deps: Deps, input: Partial<typeof SEED_DEFAULTS> = {}): Promise<SeedSummary> {
  const { accounts: count, days, seed } = { ...SEED_DEFAULTS, ...input };
  const now = deps.clock().toISOString();
  const market = generateMarketplace({ accounts: count, days, seed, startDate: formatIsoDate(deps.clock()), ids: deps.ids });
  const tenants = tenantStore(deps.db, deps.clock, deps.ids);

  const tenantOf = new Map<string, string>();
  let publisherKey = '';
  for (let i = 0; i < market.publishers.length; i += PARALLEL) {
    await Promise.all(
      market.publishers.slice(i, i + PARALLEL).map(async (p, k) => {
        const made = await tenants.create({ role: 'publisher', name: p.name, email: publisherEmail(i + k + 1) });
        tenantOf.set(p.tenantId, made.tenant.id);
        if (i + k === 0) publisherKey = made.key.key;
      }),
    );
  }
  const advertiser = await tenants.create({ role: 'advertiser', name: 'Demo Advertiser', email: DEMO_ADVERTISER_EMAIL });

  const owner = (id: string) => tenantOf.get(id) ?? id;
  const accounts = new Map<string, AccountRecord>();
  for (const a of market.accounts) {
    accounts.set(a.id, {
      ...a,
      ownerTenantId: owner(a.ownerTenantId),
      verification: a.audience.source === 'verified' ? { status: 'verified', decidedAt: now } : { status: 'unverified' },
      createdAt: now,
      updatedAt: now,
    });
  }
  const slots: SlotRecord[] = market.slots.map((s) => ({ ...s, ownerTenantId: accounts.get(s.accountId)!.ownerTenantId, createdAt: now, updatedAt: now }));
  const units: AdUnitRecord[] = market.adUnits.map((u) => {
    const account = accounts.get(u.accountId)!;
    return { ...u, ownerTenantId: account.ownerTenantId, category: account.category, enabled: true, createdAt: now, updatedAt: now };
  });
  const items = [
    ...[...accounts.values()].map((a) => marketItems.account(a, 1)),
    ...slots.flatMap((s) => [marketItems.slot(s, 1), marketItems.slotGuard(s)]),
    ...units.map((u) => marketItems.adUnit(u, 1)),
  ];
  await batchWrite(
    deps.db,
    items.map((Item) => ({ PutRequest: { Item } })),
    PARALLEL,
  );
  return {
    publishers: market.publishers.length,
    accounts: accounts.size,
    slots: slots.length,
    adUnits: units.length,
    publisherKey,
    advertiserKey: advertiser.key.key,
  };
}

/** Seeds when the market feed is empty (one Query with Limit 1, no Scan); says whether it did. */
export async function seedIfEmpty(deps: Deps, input: Partial<typeof SEED_DEFAULTS> = {}): Promise<boolean> {
  if (!(await marketIsEmpty(deps.db))) return false;
  const summary = await seedMarketplace(deps, input);
  deps.logger.info('seeded a demo marketplace', { ...summary, publisherKey: undefined, advertiserKey: undefined });
  console.log(demoKeys(summary.publisherKey, summary.advertiserKey));
  return true;
}

function demoKeys(publisherKey: string, advertiserKey: string): string {
  return `demo publisher key:  ${publisherKey}\ndemo advertiser key: ${advertiserKey}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { accounts: { type: 'string' }, days: { type: 'string' }, seed: { type: 'string' } } });
  const input = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Number(v)]));
  const { db, close } = await connect({ startIfNone: true });
  try {
    const deps = createDeps(parseConfig({ ...process.env, POWERTOOLS_LOG_LEVEL: 'WARN' }), { db });
    const started = Date.now();
    if (await marketIsEmpty(db)) {
      const s = await seedMarketplace(deps, input);
      console.log(
        `seeded ${s.accounts} accounts of ${s.publishers} publishers, ${s.slots} slots, ${s.adUnits} ad units in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      console.log(demoKeys(s.publisherKey, s.advertiserKey));
      return;
    }
    const tenants = tenantStore(db, deps.clock, deps.ids);
    const [publisher, advertiser] = await Promise.all([tenants.findIdByEmail(publisherEmail(1)), tenants.findIdByEmail(DEMO_ADVERTISER_EMAIL)]);
    console.log('The table already has a marketplace; fresh keys for its demo tenants:');
    if (!publisher || !advertiser) throw new Error('The marketplace was not made by this seed: no demo tenants to issue keys for');
    const [pk, ak] = await Promise.all([tenants.createKey(publisher, 'publisher'), tenants.createKey(advertiser, 'advertiser')]);
    console.log(demoKeys(pk.key, ak.key));
  } finally {
    await close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
