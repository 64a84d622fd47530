import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDb } from '../../functions/store/client.js';
import { ensureTable } from '../../functions/store/create-table.js';
import { keys } from '../../functions/store/keys.js';
import { TEST_SECRET } from '../support/deps.js';
import { httpEvent, scheduledEvent, streamEvent, streamRecord } from '../fixtures/events.js';

/**
 * The Lambda entry files, imported as Lambda imports them: configuration from the environment,
 * invoked with hand-built events of their kind, against DynamoDB Local.
 */
const accessKeyId = `lambda${randomBytes(6).toString('hex')}`;
let handlers: {
  api: typeof import('../../functions/api.js').handler;
  serve: typeof import('../../functions/serve.js').handler;
  jobs: typeof import('../../functions/jobs.js').handler;
  stream: typeof import('../../functions/stream.js').handler;
};
const db = () => createDb('placard-lambda', { endpoint: inject('dynamoEndpoint'), region: 'us-east-1', credentials: { accessKeyId, secretAccessKey: 'x' } });

beforeAll(async () => {
  const env: Record<string, string> = {
    TABLE_NAME: 'placard-lambda',
    DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: 'x',
    TRACKING_SECRET: TEST_SECRET,
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const d = db();
  await ensureTable(d.client, d.tableName);
  handlers = {
    api: (await import('../../functions/api.js')).handler,
    serve: (await import('../../functions/serve.js')).handler,
    jobs: (await import('../../functions/jobs.js')).handler,
    stream: (await import('../../functions/stream.js')).handler,
  };
});

// The entry files read their configuration at import; what they read is put back afterwards.
afterAll(() => {
  vi.unstubAllEnvs();
});

describe('api handler', () => {
  it('signs up through an API Gateway v2 event and answers /v1/me with the key', async () => {
    const created = await handlers.api(httpEvent('POST', '/v1/signup', { body: { role: 'publisher', name: 'Tea Daily', email: 'lambda@example.com' } }));
    expect(created.statusCode).toBe(201);
    const key = JSON.parse(created.body).apiKey.key as string;
    const me = await handlers.api(httpEvent('GET', '/v1/me', { headers: { authorization: `Bearer ${key}` } }));
    expect(me.statusCode).toBe(200);
    expect(JSON.parse(me.body)).toMatchObject({ role: 'publisher', email: 'lambda@example.com' });
  });

  it('answers problem+json for an unknown route', async () => {
    const res = await handlers.api(httpEvent('GET', '/v1/unknown'));
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });
});

describe('serve handler', () => {
  it('answers its health check', async () => {
    const res = await handlers.serve(httpEvent('GET', '/health'));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body).table).toBe('ok');
  });
});

describe('jobs handler', () => {
  it('runs on a scheduled event and records its heartbeat', async () => {
    const report = await handlers.jobs(scheduledEvent());
    expect(Array.isArray(report.results)).toBe(true);
    const beat = await db().doc.send(new GetCommand({ TableName: 'placard-lambda', Key: keys.jobsHeartbeat() }));
    expect(beat.Item?.lastRunAt).toBe(report.ranAt);
  });
});

describe('stream handler', () => {
  it('feeds a DynamoDB stream event to its consumers', async () => {
    const tenant = { pk: 'TENANT#tnt_1', sk: 'TENANT', entity: 'tenant', role: 'advertiser', id: 'tnt_1' };
    const out = await handlers.stream(
      streamEvent([streamRecord('INSERT', tenant, '100'), streamRecord('INSERT', { ...tenant, pk: 'TENANT#tnt_2', id: 'tnt_2' }, '101')]),
    );
    expect(out.batchItemFailures).toEqual([]);
    const stats = await db().doc.send(new GetCommand({ TableName: 'placard-lambda', Key: keys.stats() }));
    expect(stats.Item?.count_tenant_advertiser).toBe(2);
    await handlers.stream(streamEvent([streamRecord('REMOVE', tenant, '102')]));
    const after = await db().doc.send(new GetCommand({ TableName: 'placard-lambda', Key: keys.stats() }));
    expect(after.Item?.count_tenant_advertiser).toBe(1);
  });
});
