import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runJobs } from '../../functions/background/jobs.js';
import { mayGoNegative, replay, type LedgerAccount, type Posting } from '../../functions/core/ledger/ledger.js';
import { isFinal, type Order } from '../../functions/core/orders/order.js';
import { jobDueAt } from '../../functions/core/orders/state-machine.js';
import type { Deps } from '../../functions/deps.js';
import { createApp } from '../../functions/http/app.js';
import { requestPayout, settlePayout } from '../../functions/app/money/payouts.js';
import { adminKey, movableClock, testDeps, type MovableClock } from '../support/deps.js';
import { call, type RequestBody, signup } from '../support/http.js';
import { aBrief, balance, fund, PRICE, slotsOf } from '../support/orders.js';
import { everything } from '../support/table.js';

/**
 * A model test of direct booking against DynamoDB Local: random sequences of deposits, orders,
 * actions by the right and the wrong parties, clock ticks that run the jobs, and payouts (requested,
 * paid or failed).
 * After every step the whole table is read back and the money rules of DESIGN §3 are checked.
 */

const HOUR = 3_600_000;
const SLOTS_PER_PUBLISHER = 4;
const API_ACTIONS = ['accept', 'reject', 'submit-draft', 'approve', 'request-changes', 'publish', 'confirm', 'dispute', 'cancel', 'resolve'] as const;
type ApiAction = (typeof API_ACTIONS)[number];
type Who = 'right' | 'other-tenant' | 'wrong-role';

type Command =
  | { kind: 'deposit'; advertiser: number; units: number }
  | { kind: 'place'; advertiser: number; slot: number }
  | { kind: 'act'; order: number; action: ApiAction; who: Who; reads: number; percent: number; outcome: 'pay' | 'refund' | 'partial' }
  /** A legal next step by its rightful party, chosen among those open now (mostly the forward one): reaches the deep states. */
  | { kind: 'progress'; order: number; pick: number; reads: number; percent: number; outcome: 'pay' | 'refund' | 'partial' }
  | { kind: 'tick'; hours: number }
  | { kind: 'payout'; publisher: number; outcome: 'paid' | 'failed' | 'pending' };

const actionParams = {
  order: fc.nat(20),
  reads: fc.integer({ min: 0, max: 12_000 }),
  percent: fc.integer({ min: 1, max: 99 }),
  outcome: fc.constantFrom('pay' as const, 'refund' as const, 'partial' as const),
};

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('deposit' as const), advertiser: fc.nat(1), units: fc.integer({ min: 1, max: 3 }) }),
  { arbitrary: fc.record({ kind: fc.constant('place' as const), advertiser: fc.nat(1), slot: fc.nat(2 * SLOTS_PER_PUBLISHER - 1) }), weight: 3 },
  {
    arbitrary: fc.record({
      kind: fc.constant('act' as const),
      action: fc.constantFrom(...API_ACTIONS),
      who: fc.constantFrom<Who>('right', 'other-tenant', 'wrong-role'),
      ...actionParams,
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant('progress' as const), pick: fc.oneof(fc.constant(0), fc.nat(3)), ...actionParams }), weight: 5 },
  fc.record({ kind: fc.constant('tick' as const), hours: fc.integer({ min: 1, max: 80 }) }),
  fc.record({ kind: fc.constant('payout' as const), publisher: fc.nat(1), outcome: fc.constantFrom('paid' as const, 'failed' as const, 'pending' as const) }),
);

interface Party {
  id: string;
  key: string;
}

interface World {
  deps: Deps;
  app: ReturnType<typeof createApp>;
  clock: MovableClock;
  admin: string;
  advertisers: Party[];
  publishers: Party[];
  slots: string[];
  orders: string[];
}

async function newWorld(): Promise<World> {
  const clock = movableClock();
  const deps = await testDeps({ clock });
  const app = createApp(deps);
  const [admin, a0, a1, p0, p1] = await Promise.all([
    adminKey(deps),
    signup(app, 'advertiser'),
    signup(app, 'advertiser'),
    signup(app, 'publisher'),
    signup(app, 'publisher'),
  ]);
  const slots = [...(await slotsOf(deps, p0.id, SLOTS_PER_PUBLISHER)), ...(await slotsOf(deps, p1.id, SLOTS_PER_PUBLISHER))].map((s) => s.id);
  return { deps, app, clock, admin, advertisers: [a0, a1], publishers: [p0, p1], slots, orders: [] };
}

const other = (parties: Party[], id: string): Party => parties.find((p) => p.id !== id)!;

/**
 * The model's own rules (DESIGN.md §4, written out here rather than read from the state machine):
 * who takes each action, from which states, and the deadline that must still be open or be over.
 */
const RULES: Record<ApiAction, { role: 'owner' | 'advertiser' | 'admin'; from: Order['state'][]; open?: 'respondBy' | 'reviewEndsAt' }> = {
  accept: { role: 'owner', from: ['requested'], open: 'respondBy' },
  reject: { role: 'owner', from: ['requested'] },
  cancel: { role: 'advertiser', from: ['requested'] },
  'submit-draft': { role: 'owner', from: ['accepted'] },
  approve: { role: 'advertiser', from: ['in_review'] },
  'request-changes': { role: 'advertiser', from: ['in_review'] },
  publish: { role: 'owner', from: ['scheduled'] },
  confirm: { role: 'advertiser', from: ['published'] },
  dispute: { role: 'advertiser', from: ['published'], open: 'reviewEndsAt' },
  resolve: { role: 'admin', from: ['disputed'] },
};

/** Whether the rightful party may take the action now, by the model's rules. */
function legal(order: Order, action: ApiAction, now: Date): boolean {
  const rule = RULES[action];
  if (!rule.from.includes(order.state)) return false;
  const deadline = rule.open === undefined ? undefined : order.deadlines[rule.open];
  return deadline === undefined || now.getTime() < Date.parse(deadline);
}

/** The key that acts, and the one status it must get back. */
function actingKey(w: World, order: Order, action: ApiAction, who: Who): { key: string; expected: number } {
  const role = RULES[action].role;
  const advertiser = w.advertisers.find((a) => a.id === order.advertiserId)!;
  const publisher = w.publishers.find((p) => p.id === order.publisherId)!;
  if (who === 'right') {
    const key = role === 'owner' ? publisher.key : role === 'advertiser' ? advertiser.key : w.admin;
    return { key, expected: legal(order, action, w.clock()) ? 200 : 409 };
  }
  if (who === 'other-tenant' && role !== 'admin') {
    return { key: role === 'owner' ? other(w.publishers, publisher.id).key : other(w.advertisers, advertiser.id).key, expected: 404 };
  }
  return { key: role === 'advertiser' ? publisher.key : advertiser.key, expected: 403 };
}

/** What booking a slot must answer: 409 when the slot is taken, 402 when available funds fall short, else 201. */
async function expectedPlacement(w: World, advertiserId: string, slotId: string): Promise<number> {
  const items = await everything(w.deps);
  const slot = (items.get('slot') ?? []).find((s) => s.id === slotId);
  if (slot?.status !== 'open') return 409;
  return (await balance(w.deps, `advertiser:${advertiserId}:available`)) < Number(slot.priceMicros) ? 402 : 201;
}

type ActParams = Pick<Extract<Command, { kind: 'act' }>, 'action' | 'reads' | 'percent' | 'outcome'>;

function body(w: World, order: Order, c: ActParams): RequestBody<'POST', `/v1/orders/${string}/${ApiAction}`> | undefined {
  switch (c.action) {
    case 'submit-draft':
      return { content: 'A draft' };
    case 'publish':
      return { postUrl: 'https://mp.example.com/s/1', publishedAt: new Date(w.clock().getTime() - 60_000).toISOString(), reads: c.reads };
    case 'dispute':
      return { reason: 'fewer reads than shown' };
    case 'resolve':
      return c.outcome === 'partial' ? { outcome: 'partial', refundMicros: Math.floor((order.priceMicros * c.percent) / 100) } : { outcome: c.outcome };
    default:
      return undefined;
  }
}

async function readOrder(w: World, id: string): Promise<Order> {
  return (await call(w.app, 'GET', `/v1/orders/${id}`, { key: w.admin })).body as Order;
}

async function run(w: World, c: Command): Promise<void> {
  switch (c.kind) {
    case 'deposit':
      await fund(w.deps, w.advertisers[c.advertiser]!.id, c.units * PRICE);
      return;
    case 'place': {
      const advertiser = w.advertisers[c.advertiser]!;
      const expected = await expectedPlacement(w, advertiser.id, w.slots[c.slot]!);
      const res = await call(w.app, 'POST', '/v1/orders', { key: advertiser.key, body: { slotId: w.slots[c.slot]!, brief: aBrief } });
      expect(res.status, JSON.stringify(res.body)).toBe(expected);
      if (res.status === 201) w.orders.push(res.body.id);
      return;
    }
    case 'progress': {
      const id = w.orders[c.order % Math.max(1, w.orders.length)];
      if (id === undefined) return;
      const before = await readOrder(w, id);
      const open = API_ACTIONS.filter((a) => legal(before, a, w.clock()));
      const action = open[c.pick % Math.max(1, open.length)];
      if (action) await run(w, { ...c, kind: 'act', action, who: 'right' });
      return;
    }
    case 'act': {
      const id = w.orders[c.order % Math.max(1, w.orders.length)];
      if (id === undefined) return;
      const before = await readOrder(w, id);
      const { key, expected } = actingKey(w, before, c.action, c.who);
      const res = await call(w.app, 'POST', `/v1/orders/${id}/${c.action}`, { key, body: body(w, before, c) });
      expect(res.status, `${c.who} ${c.action} on ${before.state}: ${JSON.stringify(res.body)}`).toBe(expected);
      expect(res.headers.get('content-type')).toContain(res.status === 200 ? 'application/json' : 'application/problem+json');
      if (res.status !== 200) expect((await readOrder(w, id)).version).toBe(before.version);
      return;
    }
    case 'tick':
      w.clock.advance(c.hours * HOUR);
      await runJobs(w.deps);
      return;
    case 'payout': {
      const publisherId = w.publishers[c.publisher]!.id;
      const earned = await balance(w.deps, `publisher:${publisherId}:earned`);
      if (earned === 0) return;
      const payout = await requestPayout(w.deps, publisherId, earned);
      if (c.outcome !== 'pending') await settlePayout(w.deps, payout.id, c.outcome);
      return;
    }
  }
}

const SLOT_REOPENED = new Set(['rejected', 'expired', 'cancelled']);

/** The money and index rules, checked on everything in the table. */
async function checkInvariants(w: World): Promise<void> {
  const items = await everything(w.deps);
  // A sharded balance (platform revenue, pending, held) is the sum of its items.
  const balances = new Map<LedgerAccount, number>();
  for (const b of items.get('balance') ?? [])
    balances.set(b.account as LedgerAccount, (balances.get(b.account as LedgerAccount) ?? 0) + (b.balanceMicros as number));
  expect(
    [...balances.values()].reduce((a, b) => a + b, 0),
    'balances sum to zero',
  ).toBe(0);
  for (const [account, amount] of balances) if (!mayGoNegative(account)) expect(amount, account).toBeGreaterThanOrEqual(0);

  const replayed = replay((items.get('ledgerLine') ?? []).map((l) => ({ postings: l.postings as Posting[] })));
  for (const account of new Set([...balances.keys(), ...replayed.keys()]))
    expect(replayed.get(account) ?? 0, `replayed ${account}`).toBe(balances.get(account) ?? 0);

  const orders = (items.get('order') ?? []) as unknown as Order[];
  for (const o of orders) if (isFinal(o.state)) expect(o.heldMicros, `${o.id} in ${o.state}`).toBe(0);
  for (const a of w.advertisers) {
    const heldByOrders = orders.filter((o) => o.advertiserId === a.id).reduce((sum, o) => sum + o.heldMicros, 0);
    expect(balances.get(`advertiser:${a.id}:held`) ?? 0, 'held = what open orders hold').toBe(heldByOrders);
  }

  const due = (items.get('orderDue') ?? []).map((p) => String(p.sk)).sort();
  expect(due, 'one deadline pointer per pending system action').toEqual(orders.flatMap((o) => (jobDueAt(o) ? [`${jobDueAt(o)}#${o.id}`] : [])).sort());
  const disputes = (items.get('orderDisputed') ?? []).map((p) => String(p.orderId)).sort();
  expect(disputes, 'the operator queue holds exactly the disputed orders').toEqual(
    orders
      .filter((o) => o.state === 'disputed')
      .map((o) => o.id)
      .sort(),
  );
  const refs = new Map((items.get('orderRef') ?? []).map((r) => [r.orderId as string, r.state as string]));
  for (const o of orders) expect(refs.get(o.id), 'publisher pointer follows the state').toBe(o.state);

  for (const slot of items.get('slot') ?? []) {
    const live = orders.filter((o) => o.slotId === slot.id && !SLOT_REOPENED.has(o.state));
    expect(live.length, `slot ${slot.id}`).toBeLessThanOrEqual(1);
    expect(slot.status, `slot ${slot.id}`).toBe(live.length === 1 ? 'booked' : 'open');
  }
}

const NUM_RUNS = 25;
const MAX_COMMANDS = 25;

describe('direct booking, modelled', () => {
  it(`keeps the ledger whole over ${NUM_RUNS} random runs of up to ${MAX_COMMANDS} steps`, async () => {
    const stats = { runs: 0, steps: 0, orders: 0, states: new Set<string>() };
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 10, maxLength: MAX_COMMANDS }), async (commands) => {
        const w = await newWorld();
        await Promise.all(w.advertisers.map((a) => fund(w.deps, a.id, 5 * PRICE)));
        for (const c of commands) {
          await run(w, c);
          await checkInvariants(w);
        }
        stats.runs += 1;
        stats.steps += commands.length;
        stats.orders += w.orders.length;
        for (const id of w.orders) stats.states.add((await readOrder(w, id)).state);
      }),
      { numRuns: NUM_RUNS },
    );
    console.info(`model: ${stats.runs} runs, ${stats.steps} steps, ${stats.orders} orders; final states seen: ${[...stats.states].sort().join(', ')}`);
  }, 900_000);
});
