import { beforeAll, describe, expect, it } from 'vitest';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createApp } from '../../functions/http/app.js';
import type { Deps } from '../../functions/deps.js';
import { hashApiKey } from '../../functions/core/tenants/tenants.js';
import { tenantStore } from '../../functions/store/tenants.js';
import { adminKey, testDeps } from '../support/deps.js';
import { call, invalid, type Schemas, signup } from '../support/http.js';

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
    const res = await call(app, 'POST', '/v1/signup', { body: invalid({ role: 'king', email: 'not-an-email' }) });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.problem.errors?.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'name', 'role']);
    expect(await itemCount()).toBe(before);
  });

  it('refuses a second signup with the same email with 409, whatever its case', async () => {
    const body: Schemas['Signup'] = { role: 'publisher', name: 'Tea Daily', email: 'editor@teadaily.example' };
    expect((await call(app, 'POST', '/v1/signup', { body })).status).toBe(201);
    const before = await itemCount();
    const again = await call(app, 'POST', '/v1/signup', { body: { ...body, email: 'EDITOR@teadaily.example' } });
    expect(again.status).toBe(409);
    expect(again.problem.detail).toContain('editor@teadaily.example');
    expect(await itemCount()).toBe(before);
  });

  it('refuses an admin signup', async () => {
    const res = await call(app, 'POST', '/v1/signup', { body: invalid({ role: 'admin', name: 'x', email: 'x@example.com' }) });
    expect(res.status).toBe(400);
    expect(res.problem.errors?.[0]?.field).toBe('role');
  });
});

describe('pagination', () => {
  it('refuses a cursor it did not issue with a 400 naming the cursor', async () => {
    const { key } = await signup(app, 'advertiser');
    const res = await call(app, 'GET', '/v1/wallet/ledger?cursor=not-a-cursor', { key });
    expect(res.status).toBe(400);
    expect(res.problem.errors).toEqual([{ field: 'cursor', message: expect.any(String) }]);
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
    const res = await call(app, 'DELETE', `/v1/api-keys/${bKeys.body.items[0]!.id}`, { key: a.key });
    expect(res.status).toBe(404);
    expect((await call(app, 'GET', '/v1/me', { key: b.key })).status).toBe(200);
  });

  it('puts operator keys on a reserved platform tenant that a signup with the operator’s email cannot claim or revoke', async () => {
    // Before the fix, `npm run admin -- create-key` attached its key to whoever owned admin@placard.local.
    const squatter = await call(app, 'POST', '/v1/signup', { body: { role: 'publisher', name: 'Squatter', email: 'admin@placard.local' } });
    expect(squatter.status).toBe(201);
    const operator = await adminKey(deps);
    const me = await call(app, 'GET', '/v1/me', { key: operator });
    expect(me.body).toMatchObject({ id: 'tnt_platform', role: 'admin' });
    expect(squatter.body.tenant.id).not.toBe('tnt_platform');
    const operatorKeys = (await call(app, 'GET', '/v1/api-keys', { key: operator })).body.items as { id: string }[];
    const squatterKeys = (await call(app, 'GET', '/v1/api-keys', { key: squatter.body.apiKey.key })).body.items as { id: string }[];
    expect(squatterKeys.map((k) => k.id)).toEqual([squatter.body.apiKey.id]);
    for (const { id } of operatorKeys) expect((await call(app, 'DELETE', `/v1/api-keys/${id}`, { key: squatter.body.apiKey.key })).status).toBe(404);
    expect((await call(app, 'GET', '/v1/admin/stats', { key: operator })).status).toBe(200);
    // A second operator key joins the same tenant.
    expect((await call(app, 'GET', '/v1/me', { key: await adminKey(deps) })).body.id).toBe('tnt_platform');
  });

  it('refuses (403) a non-operator revoking an operator key that sits on its tenant, and the key keeps working', async () => {
    // How a table written by the old CLI looks: an admin key on a publisher's tenant.
    const owner = await signup(app, 'publisher');
    const legacy = await tenantStore(deps.db, deps.clock, deps.ids).createKey(owner.id, 'admin');
    const res = await call(app, 'DELETE', `/v1/api-keys/${legacy.record.id}`, { key: owner.key });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await call(app, 'GET', '/v1/admin/stats', { key: legacy.key })).status).toBe(200);
    expect((await call(app, 'DELETE', `/v1/api-keys/${legacy.record.id}`, { key: legacy.key })).status).toBe(204);
    expect((await call(app, 'GET', '/v1/admin/stats', { key: legacy.key })).status).toBe(401);
  });

  it('keeps admin endpoints for admin keys (403 for others)', async () => {
    const { key } = await signup(app, 'publisher');
    expect((await call(app, 'GET', '/v1/admin/stats', { key })).status).toBe(403);
    expect((await call(app, 'GET', '/v1/admin/stats', { key: await adminKey(deps) })).status).toBe(200);
  });
});
