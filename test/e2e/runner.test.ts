import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/local/dynamodb-local.js';

const javaProcessesOnPort = (port: number): string[] =>
  spawnSync('pgrep', ['-f', `DynamoDBLocalLoopback -port ${port} `], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean);

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Runs a script to its end and returns its exit code and output. */
function run(script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/** Whether a TCP connection to host:port is accepted. */
const accepts = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('npm start (scripts/dev.ts)', () => {
  it('boots the platform, answers /health, logs one JSON line per request, and stops on SIGTERM leaving no Java behind', async () => {
    const port = await freePort();
    const dynamoPort = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'placard-e2e-'));
    const env = { PORT: String(port), DYNAMODB_LOCAL_PORT: String(dynamoPort), PLACARD_DATA_DIR: dataDir, POWERTOOLS_LOG_LEVEL: 'INFO' };
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/dev.ts', '--memory'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      await waitFor(async () => (output.includes('Placard is running') ? true : undefined), 120_000);
      const health = await waitFor(async () => {
        const res = await fetch(`http://127.0.0.1:${port}/health`);
        return res.ok ? ((await res.json()) as { status: string; table: string }) : undefined;
      }, 45_000);
      expect(health).toMatchObject({ status: 'ok', table: 'ok' });
      expect(output).toContain(`http://127.0.0.1:${port}`);
      expect(javaProcessesOnPort(dynamoPort)).toHaveLength(1);

      const docs = await fetch(`http://127.0.0.1:${port}/docs/swagger-ui-bundle.js`);
      expect(docs.status).toBe(200);

      // One line per request, and it is JSON (LOG_FORMAT=pretty would indent it).
      const line = await waitFor(async () => output.split('\n').find((l) => l.includes('"path":"/docs/swagger-ui-bundle.js"')), 10_000);
      expect(JSON.parse(line)).toMatchObject({ message: 'request', method: 'GET', path: '/docs/swagger-ui-bundle.js', status: 200 });

      // DynamoDB Local answers on loopback only, not on the machine's other addresses.
      expect(await accepts('127.0.0.1', dynamoPort)).toBe(true);
      const external = Object.values(networkInterfaces())
        .flat()
        .find((a) => a && a.family === 'IPv4' && !a.internal);
      if (external) expect(await accepts(external.address, dynamoPort)).toBe(false);

      // A second platform on the same data refuses; so does one whose DynamoDB Local port is taken.
      const second = await run('scripts/dev.ts', ['--memory'], { ...env, PORT: String(await freePort()) });
      expect(second.code).toBe(1);
      expect(second.output).toContain('Placard is already running');
      const otherData = mkdtempSync(join(tmpdir(), 'placard-e2e-'));
      const third = await run('scripts/dev.ts', ['--memory'], { ...env, PORT: String(await freePort()), PLACARD_DATA_DIR: otherData });
      expect(third.code).toBe(1);
      expect(third.output).toContain(`Port ${dynamoPort} on 127.0.0.1 is taken`);
      expect(javaProcessesOnPort(dynamoPort)).toHaveLength(1);

      // The operator CLI finds the running platform's database: its key works there.
      const admin = await run('scripts/admin.ts', ['create-key'], env);
      expect(admin.code, admin.output).toBe(0);
      const key = admin.output.trim().split('\n').pop()!;
      const me = await fetch(`http://127.0.0.1:${port}/v1/me`, { headers: { authorization: `Bearer ${key}` } });
      expect(await me.json()).toMatchObject({ id: 'tnt_platform', role: 'admin' });
      // …and where none runs, it says so instead of starting a database of its own.
      const none = await run('scripts/admin.ts', ['create-key'], { ...env, PLACARD_DATA_DIR: otherData });
      expect(none.code).toBe(1);
      expect(none.output).toContain('No local Placard is running');
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    expect(javaProcessesOnPort(dynamoPort)).toEqual([]);
    await expect(fetch(`http://127.0.0.1:${dynamoPort}/`)).rejects.toThrow();
  }, 300_000);
});
