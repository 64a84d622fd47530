import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/http/app.js';
import { problemResponse } from '../../functions/http/problem.js';
import { createServeApp } from '../../functions/http/serve-app.js';
import { isServePath } from '../../functions/http/routing.js';
import { aCampaign, aMarket } from '../support/campaigns.js';
import { movableClock, testDeps } from '../support/deps.js';
import { call, invalid, raw, type Schemas, signup, withProblem } from '../support/http.js';
import { type DocumentedOperation, openApiDocument } from '../support/openapi-document.js';

/**
 * Issue 9, items 5–10 and 12: every route checks who calls before what is sent, refuses long or
 * malformed ids and foreign cursors with a 400 problem, documents every status it gives, and
 * answers with security headers. The routes are walked from /openapi.json, so a route added
 * later is held to the same rules.
 */

type Operation = { method: string; path: string; op: DocumentedOperation };
type Role = 'advertiser' | 'publisher' | 'admin';

const clock = movableClock();
let app: ReturnType<typeof createApp>;
let serve: ReturnType<typeof createServeApp>;
let keys: Record<Role, string>;
let market: Awaited<ReturnType<typeof aMarket>>;
let operations: Operation[];

beforeAll(async () => {
  const deps = await testDeps({ clock });
  app = createApp(deps);
  serve = createServeApp(deps);
  market = await aMarket(app, deps);
  keys = { advertiser: market.advertiser.key, publisher: market.publisher.key, admin: market.admin };
  const doc = await openApiDocument(app);
  operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ method: method.toUpperCase(), path, op })));
});

const LONG_ID = 'x'.repeat(3000);
const apiOperations = () => operations.filter((o) => !isServePath(o.path));
const withParams = (path: string, value: string) => path.replace(/\{[^}]+\}/g, value);
const BAD_BODY = { bogus: true, budgetMicros: 'lots' };
const send = async (o: Operation, path: string, key?: string, body: unknown = o.op.requestBody ? BAD_BODY : undefined) =>
  withProblem(await raw(app, o.method, path, { key, body }));

function expectProblem(res: { status: number; headers: Headers; problem: Schemas['Problem'] }, status: number, o?: Operation): void {
  expect(res.status, `${o?.method} ${o?.path}: ${JSON.stringify(res.problem)}`).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.problem).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
  expect(res.problem.title).not.toBe('Error');
  if (o) expect(Object.keys(o.op.responses), `${o.method} ${o.path} does not document ${status}`).toContain(String(status));
}

describe('authentication and role before validation (every route)', () => {
  it('answers 401 without a key, although the id and body are also invalid', async () => {
    const secured = apiOperations().filter((o) => o.op.security);
    expect(secured.length).toBeGreaterThan(40);
    for (const o of secured) expectProblem(await send(o, withParams(o.path, LONG_ID)), 401, o);
  });

  it('answers 403 to a key of another role, although the id and body are also invalid', async () => {
    const restricted = apiOperations().filter((o) => o.op['x-roles']);
    expect(restricted.length).toBeGreaterThan(30);
    for (const o of restricted) {
      const wrong = (['advertiser', 'publisher', 'admin'] as const).find((r) => !o.op['x-roles']!.includes(r))!;
      expectProblem(await send(o, withParams(o.path, LONG_ID), keys[wrong]), 403, o);
    }
  });
});

describe('ids (every route)', () => {
  it('refuses a long or malformed path id with a 400 naming the parameter', async () => {
    const withIds = apiOperations().filter((o) => o.path.includes('{'));
    expect(withIds.length).toBeGreaterThan(25);
    for (const o of withIds) {
      const key = keys[(o.op['x-roles']?.[0] as Role | undefined) ?? 'advertiser'];
      for (const bad of [LONG_ID, 'not_an_id', 'cmp_UPPER', "acct_1'--"]) {
        const res = await send(o, withParams(o.path, encodeURIComponent(bad)), key, o.op.requestBody ? {} : undefined);
        expectProblem(res, 400, o);
        const named = o.path.match(/\{([^}]+)\}/g)!.map((p) => p.slice(1, -1));
        expect(res.problem.errors?.map((e) => e.field).some((f) => named.includes(f))).toBe(true);
      }
    }
  });

  it('documents each id with its pattern and maximum length', async () => {
    for (const o of apiOperations().filter((x) => x.path.includes('{'))) {
      for (const p of (o.op.parameters ?? []).filter((x) => x.in === 'path')) {
        expect(p.schema.pattern).toMatch(/^\^/);
        expect(p.schema.maxLength).toBeLessThanOrEqual(64);
      }
    }
  });

  it('refuses long ids in queries and bodies: reports, orders, deposits, decisions', async () => {
    const long = 'y'.repeat(5000);
    const report = await call(app, 'GET', `/v1/reports?dimension=campaign&id=${long}&from=2031-01-01T00:00:00Z&to=2031-01-02T00:00:00Z`, {
      key: keys.advertiser,
    });
    expectProblem(report, 400);
    expect(report.problem.errors?.[0]?.field).toBe('id');
    const order = await call(app, 'POST', '/v1/orders', {
      key: keys.advertiser,
      body: { slotId: long.slice(0, 2000), brief: { title: 't', copy: 'c', landingUrl: 'https://x.example.com' } },
    });
    expectProblem(order, 400);
    expect(order.problem.errors?.[0]?.field).toBe('slotId');
    const deposit = await call(app, 'POST', '/v1/admin/deposits', {
      key: keys.admin,
      headers: { 'idempotency-key': 'long-id' },
      body: { advertiserId: long.slice(0, 2000), amountMicros: 1, reference: 'r' },
    });
    expectProblem(deposit, 400);
    expect(deposit.problem.errors?.[0]?.field).toBe('advertiserId');
    const decision = await call(serve, 'POST', '/v1/decisions', { body: { adUnitId: long.slice(0, 2000), viewer: { id: 'v1' } } });
    expectProblem(decision, 400);
    expect(decision.problem.errors?.[0]?.field).toBe('adUnitId');
  });
});

describe('cursors (every list)', () => {
  it('pages with the cursor it hands out, and refuses a malformed, foreign, other-list or expired one with 400', async () => {
    for (let i = 0; i < 2; i++)
      expect((await call(app, 'POST', '/v1/campaigns', { key: keys.advertiser, body: aCampaign({ clock } as never) })).status).toBe(201);
    const first = await call(app, 'GET', '/v1/campaigns?limit=1', { key: keys.advertiser });
    const cursor = first.body.nextCursor as string;
    const second = await call(app, 'GET', `/v1/campaigns?limit=1&cursor=${cursor}`, { key: keys.advertiser });
    expect(second.status).toBe(200);
    expect(second.body.items[0]!.id).not.toBe(first.body.items[0]!.id);

    const other = await signup(app, 'advertiser');
    const unsigned = Buffer.from(JSON.stringify({ pk: 'TENANT#x', sk: 'y' })).toString('base64url');
    const [payload, mac] = cursor.split('.');
    const refusals: [string, string][] = [
      [`/v1/campaigns?cursor=${unsigned}`, keys.advertiser], // unsigned: the old format, or made up
      [`/v1/campaigns?cursor=${payload}.${mac!.replace(/^./, (ch) => (ch === 'A' ? 'B' : 'A'))}`, keys.advertiser], // tampered
      [`/v1/campaigns?cursor=${cursor}`, other.key], // another tenant's
      [`/v1/wallet/ledger?cursor=${cursor}`, keys.advertiser], // another list's
      [`/v1/campaigns?cursor=${'%FF'.repeat(10)}`, keys.advertiser],
    ];
    for (const [path, key] of refusals) {
      const res = withProblem(await raw(app, 'GET', path, { key }));
      expectProblem(res, 400);
      expect(res.problem.errors?.[0]?.field).toBe('cursor');
    }
    clock.advance(25 * 3_600_000);
    const expired = await call(app, 'GET', `/v1/campaigns?limit=1&cursor=${cursor}`, { key: keys.advertiser });
    expectProblem(expired, 400);
    expect(expired.problem.errors?.[0]?.message).toMatch(/expired/);
  });

  it('refuses a made-up cursor with 400 on every list', async () => {
    const lists = apiOperations().filter((o) => o.method === 'GET' && o.op.parameters?.some((p) => p.name === 'cursor'));
    expect(lists.length).toBeGreaterThanOrEqual(11);
    for (const o of lists) {
      const key = keys[(o.op['x-roles']?.[0] as Role | undefined) ?? 'advertiser'];
      // A well-formed id of the kind each path parameter documents: the cursor is what is wrong.
      const path = (o.op.parameters ?? [])
        .filter((p) => p.in === 'path')
        .reduce((acc, p) => acc.replace(`{${p.name}}`, `${/\(\?:(\w+)/.exec(p.schema.pattern!)![1]}_0`), o.path);
      const res = withProblem(await raw(app, 'GET', `${path}?cursor=eyJwayI6IngifQ.AAAA`, { key }));
      expectProblem(res, 400, o);
      expect(res.problem.errors?.[0]?.field).toBe('cursor');
    }
  });
});

describe('problem documents', () => {
  it('never lets an extension member overwrite type, title, status, detail or instance', async () => {
    const res = problemResponse(409, 'the detail', { status: 'draft', type: 'x', title: 'y', detail: 'z', instance: 'w', state: 'draft' }, 'conflict');
    expect(await res.json()).toEqual({ type: 'https://placard.dev/problems/conflict', title: 'Conflict', status: 409, detail: 'the detail', state: 'draft' });
  });

  it('answers a campaign conflict with the integer status and the campaign state in `state`', async () => {
    const draft = await call(app, 'POST', '/v1/campaigns', { key: keys.advertiser, body: aCampaign({ clock } as never) });
    const res = await call(app, 'POST', `/v1/campaigns/${draft.body.id}/activate`, { key: keys.advertiser });
    expectProblem(res, 409);
    expect(res.problem).toMatchObject({ status: 409, state: 'draft' });
  });
});

describe('the OpenAPI document', () => {
  it('lists the common error statuses on every operation', async () => {
    for (const o of apiOperations()) {
      const documented = Object.keys(o.op.responses);
      const expected = ['500'];
      // Any /v1 route of the api app refuses an unknown key, signup included.
      if (o.path.startsWith('/v1/')) expected.push('401');
      if (o.op['x-roles']) expected.push('403');
      if (o.op.parameters?.length || o.op.requestBody || o.method === 'POST') expected.push('400');
      if (o.path.includes('{')) expected.push('404');
      if (o.op.requestBody) expected.push('413', '415');
      if (o.method === 'POST') expected.push('409', '422');
      expect(documented, `${o.method} ${o.path}`).toEqual(expect.arrayContaining(expected));
      for (const status of documented.filter((s) => Number(s) >= 400)) expect(o.op.responses[status]!.description.length).toBeGreaterThan(5);
    }
  });

  it('answers 401 on signup with an unknown key, as documented', async () => {
    const signupOp = operations.find((o) => o.path === '/v1/signup')!;
    expectProblem(
      await call(app, 'POST', '/v1/signup', { key: 'plc_unknown', body: { role: 'advertiser', name: 'n', email: 'n@example.com' } }),
      401,
      signupOp,
    );
  });

  it('answers a body that is not JSON with 415 titled Unsupported Media Type, as documented', async () => {
    const res = await app.request('/v1/signup', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"role":"advertiser"}' });
    const body = await res.json();
    expect(res.status).toBe(415);
    expect(body).toMatchObject({ status: 415, title: 'Unsupported Media Type' });
    expect(Object.keys(operations.find((o) => o.path === '/v1/signup')!.op.responses)).toContain('415');
  });

  it('answers a bad Idempotency-Key with 400, as documented', async () => {
    const signupOp = operations.find((o) => o.path === '/v1/signup')!;
    const res = await call(app, 'POST', '/v1/signup', {
      headers: { 'idempotency-key': 'k'.repeat(300) },
      body: { role: 'advertiser', name: 'n', email: 'ik@example.com' },
    });
    expectProblem(res, 400, signupOp);
  });

  it('never coerces JSON: a budget sent as a string is refused', async () => {
    const res = await call(app, 'POST', '/v1/marketplace/match', {
      key: keys.advertiser,
      body: invalid({ targeting: {}, dateFrom: '2031-01-01', dateTo: '2031-01-31', budgetMicros: '100' }),
    });
    expectProblem(res, 400);
    expect(res.problem.errors?.[0]?.field).toBe('budgetMicros');
  });

  it('takes a decision request sent as text/plain (a CORS-simple request), as documented', async () => {
    const res = await serve.request('/v1/decisions', {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ adUnitId: market.unitId, viewer: { id: 'v-plain' } }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ad: null });
    const decisions = operations.find((o) => o.path === '/v1/decisions')!.op;
    expect(Object.keys(decisions.requestBody?.content ?? {})).toEqual(expect.arrayContaining(['application/json', 'text/plain']));
  });
});

describe('input bounds', () => {
  // From a future date, so the span is what is refused (a rule from 1000-01-01 is refused as past first).
  it('refuses a weekday rule over 2031-01-01…9999-12-31 with 400 and lists nothing', async () => {
    const path = `/v1/accounts/${market.accountId}/slots` as const;
    const res = await call(app, 'POST', path, {
      key: keys.publisher,
      body: { from: '2031-01-01', to: '9999-12-31', weekdays: [1], position: 'headline', format: 'custom_article', priceMicros: 1_000_000 },
    });
    expectProblem(res, 400);
    expect(res.problem.errors).toEqual([{ field: 'to', message: 'the rule may span at most 366 days' }]);
    expect((await call(app, 'GET', path, { key: keys.publisher })).body.items).toEqual([]);
  });

  it('plans over 366 days with the largest budget (10^15 micros), answering a plan with a valid method', async () => {
    const res = await call(app, 'POST', '/v1/marketplace/match', {
      key: keys.advertiser,
      body: { targeting: { gender: ['female'] }, dateFrom: '2031-01-01', dateTo: '2031-12-31', budgetMicros: 1_000_000_000_000_000 },
    });
    expect(res.status).toBe(200);
    expect(['exact', 'approximate']).toContain(res.body.plan?.method);
  });
});

describe('security headers', () => {
  it('sends nosniff and a CSP with frame-ancestors on every response, no-store on keyed answers', async () => {
    const answers = [
      await call(app, 'GET', '/health'),
      await raw(app, 'GET', '/openapi.json'),
      await raw(app, 'GET', '/v1/nothing-here'),
      await call(app, 'GET', '/v1/me', { key: keys.advertiser }),
      await call(app, 'GET', '/v1/campaigns', { key: keys.advertiser }),
      await call(app, 'GET', '/v1/me'),
      await call(serve, 'POST', '/v1/decisions', { body: { adUnitId: market.unitId, viewer: { id: 'v-h' } } }),
    ];
    for (const res of answers) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    }
    expect(answers[3]!.headers.get('cache-control')).toBe('no-store');
    expect(answers[4]!.headers.get('cache-control')).toBe('no-store');
  });

  it('gives /docs a CSP that allows only its own scripts and no framing', async () => {
    const res = await app.request('/docs');
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
