import type { SlotDraft } from '../../functions/core/marketplace/slots.js';
import { addDays } from '../../functions/core/marketplace/slots.js';
import type { Deps } from '../../functions/deps.js';
import { marketplaceStore, type SlotRecord } from '../../functions/store/marketplace.js';
import { depositToAdvertiser } from '../../functions/app/money/wallet.js';
import { getBalances } from '../../functions/store/ledger.js';
import type { LedgerAccount } from '../../functions/core/ledger/ledger.js';
import type { paths } from '../../console/src/api/schema.js';
import { call, type Schemas } from './http.js';

type App = Parameters<typeof call>[0];
/** The actions the API takes on an order (POST /v1/orders/{id}/<action>), as the document lists them. */
export type ApiOrderAction = keyof paths extends infer T ? (T extends `/v1/orders/{id}/${infer A}` ? A : never) : never;

export const PRICE = 1_000_000_000;
export const COMMITTED_READS = 10_000;
export const aBrief = { title: 'Spring tea', copy: 'Try the new oolong', landingUrl: 'https://tea.example.com/spring' };

const audience = {
  followers: 120_000,
  averageReads: 10_000,
  gender: { female: 0.6, male: 0.4 },
  ageBand: { '25-34': 0.5 },
  region: { 'CN-SH': 0.25 },
  interests: { technology: 0.4 },
};

/** An account of the publisher with `count` open slots on consecutive days, alternating ad card and custom article unless told. */
export async function slotsOf(
  deps: Deps,
  publisherId: string,
  count: number,
  options: { format?: SlotDraft['format']; priceMicros?: number } = {},
): Promise<SlotRecord[]> {
  const store = marketplaceStore(deps.db, deps.clock, deps.ids);
  const account = await store.createAccount(publisherId, {
    platform: 'wechat',
    handle: 'tea_daily',
    name: 'Tea Daily',
    category: 'food',
    description: '',
    audience,
  });
  const drafts: SlotDraft[] = Array.from({ length: count }, (_, i) => {
    const format = options.format ?? (i % 2 === 0 ? 'ad_card' : 'custom_article');
    return {
      publishDate: addDays('2031-01-01', i),
      position: 'headline',
      format,
      ...(format === 'ad_card' ? { committedReads: COMMITTED_READS } : {}),
      priceMicros: options.priceMicros ?? PRICE,
    };
  });
  return store.createSlots(publisherId, account.id, drafts);
}

export const fund = (deps: Deps, advertiserId: string, amountMicros: number) => depositToAdvertiser(deps, { advertiserId, amountMicros, reference: 'test' });

export async function balance(deps: Deps, account: LedgerAccount): Promise<number> {
  return (await getBalances(deps.db, [account])).get(account) ?? 0;
}

/** Books a slot through the API and returns the order body (fails the test setup otherwise). */
export async function placeOrder(app: App, key: string, slotId: string): Promise<Schemas['Order']> {
  const res = await call(app, 'POST', '/v1/orders', { key, body: { slotId, brief: aBrief } });
  if (res.status !== 201) throw new Error(`order failed: ${res.status} ${JSON.stringify(res.problem)}`);
  return res.body;
}
