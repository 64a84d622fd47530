import { beforeAll, describe, expect, it } from 'vitest';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createApp } from '../../functions/http/app.js';
import type { Deps } from '../../functions/deps.js';
import { hashApiKey } from '../../functions/core/tenants/tenants.js';
import { adminKey, testDeps } from '../support/deps.js';
import { call, signup } from '../support/http.js';

let deps: Deps;
let app: ReturnType<typeof createApp>;

// Tests may Scan: they check that nothing at all was written.
async function itemCount(): Promise<number> {
  const out = await deps.db.doc.send(new ScanCommand({ TableName: deps.db.tableName, Select: 'COUNT' }));
  return out.Count ?? 0;
}

beforeAll(async () => {
  deps = await testDeps();
  app = createApp(deps);
});

describe('signup', () => {
  it('creates a tenant and returns its key once, storing only the hash', async () => {
    const res = await call(app, 'POST', '/v1/signup', { body: { role: 'advertiser', name: 'Acme Tea', email: 'Buyer@Acme.example' } });
    expect(res.status).toBe(201);
    expect(res.body.tenant).toMatchObject({ role: 'advertiser', name: 'Acme Tea', email: 'buyer@acme.example' });
    expect(res.body.tenant.id).toMatch(/^tnt_/);
    const key: string = res.body.apiKey.key;
    expect(key).toMatch(/^plc_/);

    const everything = await deps.db.doc.send(new ScanCommand({ TableName: deps.db.tableName }));
    const dump = JSON.stringify(everything.Items);
    expect(dump).not.toContain(key);
    expect(dump).toContain(hashApiKey(key));

    const me = await call(app, 'GET', '/v1/me', { key });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(res.body.tenant.id);
  });

  it('refuses missing and invalid fields with 400 naming each field, and writes nothing', async () => {
    const before = await itemCount();
    const res = await call(app, 'POST', '/v1/signup', { body: { role: 'king', email: 'not-an-email' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'name', 'role']);
    expect(await itemCount()).toBe(before);
  });

  it('refuses a second signup with the same email with 409, whatever its case', async () => {
    const body = { role: 'publisher', name: 'Tea Daily', email: 'editor@teadaily.example' };
    expect((await call(app, 'POST', '/v1/signup', { body })).status).toBe(201);
    const before = await itemCount();
    const again = await call(app, 'POST', '/v1/signup', { body: { ...body, email: 'EDITOR@teadaily.example' } });
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain('editor@teadaily.example');
    expect(await itemCount()).toBe(before);
  });

  it('refuses an admin signup', async () => {
    const res = await call(app, 'POST', '/v1/signup', { body: { role: 'admin', name: 'x', email: 'x@example.com' } });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('role');
  });
});

describe('pagination', () => {
  it('refuses a cursor it did not issue with a 400 naming the cursor', async () => {
    const { key } = await signup(app, 'advertiser');
    const res = await call(app, 'GET', '/v1/wallet/ledger?cursor=not-a-cursor', { key });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'cursor', message: expect.any(String) }]);
  });
});

describe('API keys', () => {
  it('answers 401 without a key, with an unknown key and with a malformed header', async () => {
    expect((await call(app, 'GET', '/v1/me')).status).toBe(401);
    expect((await call(app, 'GET', '/v1/me', { key: 'plc_nope' })).status).toBe(401);
    const res = await call(app, 'GET', '/v1/me', { headers: { authorization: 'Basic abc' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('issues another key, lists keys without secrets, and refuses a revoked key at once', async () => {
    const { key } = await signup(app, 'advertiser');
    const second = await call(app, 'POST', '/v1/api-keys', { key });
    expect(second.status).toBe(201);
    const list = await call(app, 'GET', '/v1/api-keys', { key: second.body.key });
    expect(list.body.items).toHaveLength(2);
    expect(JSON.stringify(list.body)).not.toContain(key);

    const revoked = await call(app, 'DELETE', `/v1/api-keys/${second.body.id}`, { key });
    expect(revoked.status).toBe(204);
    expect((await call(app, 'GET', '/v1/me', { key: second.body.key })).status).toBe(401);
    expect((await call(app, 'GET', '/v1/me', { key })).status).toBe(200);
  });

  it('answers 404 when revoking another tenant’s key, and leaves it working', async () => {
    const a = await signup(app, 'advertiser');
    const b = await signup(app, 'publisher');
    const bKeys = await call(app, 'GET', '/v1/api-keys', { key: b.key });
    const res = await call(app, 'DELETE', `/v1/api-keys/${bKeys.body.items[0].id}`, { key: a.key });
    expect(res.status).toBe(404);
    expect((await call(app, 'GET', '/v1/me', { key: b.key })).status).toBe(200);
  });

  it('keeps admin endpoints for admin keys (403 for others)', async () => {
    const { key } = await signup(app, 'publisher');
    expect((await call(app, 'GET', '/v1/admin/stats', { key })).status).toBe(403);
    expect((await call(app, 'GET', '/v1/admin/stats', { key: await adminKey(deps) })).status).toBe(200);
  });
});
