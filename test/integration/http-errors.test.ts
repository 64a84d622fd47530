import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/http/app.js';
import { createServeApp } from '../../functions/http/serve-app.js';
import { testDeps } from '../support/deps.js';
import { call, raw, type Schemas, withProblem } from '../support/http.js';
import { openApiDocument } from '../support/openapi-document.js';
import { listen } from '../support/server.js';

let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  app = createApp(await testDeps({ env: { MAX_BODY_BYTES: '1024' } }));
});

const isProblem = (res: { headers: Headers; problem: Schemas['Problem'] }, status: number) => {
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.problem).toMatchObject({ status, title: expect.any(String), detail: expect.any(String), type: expect.any(String) });
  expect(JSON.stringify(res.problem)).not.toMatch(/at .*\.(ts|js):\d+/);
};

describe('errors', () => {
  it('answers an unknown route with a 404 problem', async () => {
    const res = await raw(app, 'GET', '/v1/nothing-here');
    expect(res.status).toBe(404);
    isProblem(withProblem(res), 404);
  });

  it('answers a known route with the wrong method with 405 and Allow', async () => {
    const res = await raw(app, 'PUT', '/v1/signup', { body: {} });
    expect(res.status).toBe(405);
    isProblem(withProblem(res), 405);
    expect(res.headers.get('allow')).toBe('POST');
    const param = await raw(app, 'POST', '/v1/api-keys/key_123');
    expect(param.status).toBe(405);
    expect(param.headers.get('allow')).toBe('DELETE');
  });

  it('answers malformed JSON with a 400 problem', async () => {
    const res = await app.request('/v1/signup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role": ' });
    expect(res.status).toBe(400);
    isProblem(withProblem({ status: res.status, headers: res.headers, text: await res.text() }), 400);
  });

  it('answers a body over the limit with a 413 problem', async () => {
    const res = await call(app, 'POST', '/v1/signup', { body: { role: 'advertiser', name: 'x'.repeat(2000), email: 'big@example.com' } });
    expect(res.status).toBe(413);
    isProblem(res, 413);
  });

  it('holds a body over real HTTP to the limit, whether its length is declared or it comes in chunks', async () => {
    const server = await listen(app);
    try {
      const big = JSON.stringify({ role: 'advertiser', name: 'x'.repeat(2000), email: 'big@example.com' });
      const declared = await fetch(`${server.url}/v1/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
      expect(declared.status).toBe(413);
      const chunks = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < big.length; i += 500) controller.enqueue(new TextEncoder().encode(big.slice(i, i + 500)));
          controller.close();
        },
      });
      const chunked = await fetch(`${server.url}/v1/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: chunks,
        duplex: 'half',
      } as RequestInit);
      expect(chunked.status).toBe(413);
      expect(await chunked.json()).toMatchObject({ status: 413 });
      // Under the limit, declared: the route reads it (its own validation answers).
      const small = await fetch(`${server.url}/v1/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role": "x"}' });
      expect(small.status).toBe(400);
    } finally {
      await server.close();
    }
  });

  it('answers an unexpected failure with a 500 problem that shows no internals', async () => {
    const deps = await testDeps();
    const broken = createApp({ ...deps, db: { ...deps.db, tableName: 'no-such-table' } });
    const res = await call(broken, 'POST', '/v1/signup', { body: { role: 'advertiser', name: 'x', email: 'x@example.com' } });
    expect(res.status).toBe(500);
    isProblem(res, 500);
    expect(res.problem.detail).not.toContain('no-such-table');
    expect(res.problem.detail).toMatch(/request id/);
  });
});

describe('answers typed by the OpenAPI document (test/support/http.ts)', () => {
  // Each `@ts-expect-error` is the assertion: `npx tsc` fails if the test helper ever accepts
  // what the document does not declare. The runtime checks say the document is right to refuse it.
  it('refuses a field or path the document does not declare and a body it does not accept, as the API does', async () => {
    const health = await call(app, 'GET', '/health');
    // @ts-expect-error: Health declares status, table and jobsLastRunAt only
    expect(health.body.uptime).toBeUndefined();
    // @ts-expect-error: no route is documented at /v1/nothing-here (raw() reaches it)
    expect((await call(app, 'GET', '/v1/nothing-here')).status).toBe(404);
    // @ts-expect-error: Signup requires a name
    const res = await call(app, 'POST', '/v1/signup', { body: { role: 'advertiser', email: 'typed@example.com' } });
    expect(res.problem.errors).toEqual([{ field: 'name', message: expect.any(String) }]);
  });
});

describe('system routes', () => {
  it('reports health with the table answering', async () => {
    const res = await call(app, 'GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', table: 'ok' });
  });

  it('reports degraded health when the table does not answer', async () => {
    const deps = await testDeps();
    const broken = createServeApp({ ...deps, db: { ...deps.db, tableName: 'no-such-table' } });
    const res = await call(broken, 'GET', '/health');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 'degraded', table: 'unreachable' });
  });

  it('serves an OpenAPI 3.1 document of the routes', async () => {
    const doc = await openApiDocument(app);
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/v1/signup', '/v1/me', '/v1/api-keys', '/v1/api-keys/{id}']));
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('serves interactive docs with local assets only', async () => {
    const page = await app.request('/docs');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of ['/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css', '/docs/init.js']) {
      expect(html).toContain(asset);
      const res = await app.request(asset);
      expect(res.status).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(10);
    }
    expect((await app.request('/docs/..%2Fpackage.json')).status).toBe(404);
  });
});
