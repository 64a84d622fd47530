import { beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../functions/deps.js';
import { createApp } from '../../functions/http/app.js';
import { testDeps } from '../support/deps.js';
import { call, signup } from '../support/http.js';
import { aBrief, balance, fund, PRICE, slotsOf } from '../support/orders.js';
import { everything } from '../support/table.js';

let deps: Deps;
let app: ReturnType<typeof createApp>;
let publisher: { id: string; key: string };

const RACERS = 50;
const order = (key: string, slotId: string) => call(app, 'POST', '/v1/orders', { key, body: { slotId, brief: aBrief } });
const countStatuses = (statuses: number[]) => statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

beforeAll(async () => {
  deps = await testDeps();
  app = createApp(deps);
  publisher = await signup(app, 'publisher');
});

describe('racing orders', () => {
  it(`books one slot exactly once when ${RACERS} funded advertisers order it at the same time`, async () => {
    const [slot] = await slotsOf(deps, publisher.id, 1);
    const buyers = await Promise.all(Array.from({ length: RACERS }, () => signup(app, 'advertiser')));
    await Promise.all(buyers.map((b) => fund(deps, b.id, PRICE)));

    const results = await Promise.all(buyers.map((b) => order(b.key, slot!.id)));
    const statuses = results.map((r) => r.status);
    console.info('one slot, 50 buyers:', countStatuses(statuses));
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);

    const items = await everything(deps);
    expect(items.get('order') ?? []).toHaveLength(1);
    const winner = results.find((r) => r.status === 201)!.body;
    const held = await Promise.all(buyers.map((b) => balance(deps, `advertiser:${b.id}:held`)));
    expect(held.filter((h) => h > 0)).toEqual([PRICE]);
    expect(await balance(deps, `advertiser:${winner.advertiserId}:held`)).toBe(PRICE);
    const holdLines = (items.get('ledgerLine') ?? []).filter((l) => l.cause.type === 'order');
    expect(holdLines).toHaveLength(1);
  });

  it(`never holds more than the deposit when one advertiser orders ${RACERS} slots at once`, async () => {
    const FUNDED_FOR = 7;
    const slots = await slotsOf(deps, publisher.id, RACERS);
    const buyer = await signup(app, 'advertiser');
    await fund(deps, buyer.id, FUNDED_FOR * PRICE + PRICE / 2);

    const results = await Promise.all(slots.map((s) => order(buyer.key, s.id)));
    const statuses = results.map((r) => r.status);
    console.info('one wallet, 50 slots:', countStatuses(statuses));
    const booked = statuses.filter((s) => s === 201).length;
    expect(statuses.every((s) => s === 201 || s === 402 || s === 409)).toBe(true);
    expect(booked).toBeGreaterThan(0);
    expect(booked).toBeLessThanOrEqual(FUNDED_FOR);

    const held = await balance(deps, `advertiser:${buyer.id}:held`);
    const available = await balance(deps, `advertiser:${buyer.id}:available`);
    expect(held).toBe(booked * PRICE);
    expect(available).toBeGreaterThanOrEqual(0);
    expect(held + available).toBe(FUNDED_FOR * PRICE + PRICE / 2);
    const orders = (await everything(deps)).get('order') ?? [];
    expect(orders.filter((o) => o.advertiserId === buyer.id)).toHaveLength(booked);
    // A refused order leaves its slot open for someone else.
    const bookedSlots = new Set(results.filter((r) => r.status === 201).map((r) => r.body.slotId));
    const slotItems = ((await everything(deps)).get('slot') ?? []).filter((s) => slots.some((x) => x.id === s.id));
    for (const s of slotItems) expect(s.status).toBe(bookedSlots.has(s.id) ? 'booked' : 'open');
  });
});
