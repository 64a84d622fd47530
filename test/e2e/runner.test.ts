import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/local/dynamodb-local.js';

const javaProcessesOnPort = (port: number): string[] =>
  spawnSync('pgrep', ['-f', `DynamoDBLocal.jar -port ${port} `], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('npm start (scripts/dev.ts)', () => {
  it('boots the platform, answers /health, and stops on SIGTERM leaving no Java behind', async () => {
    const port = await freePort();
    const dynamoPort = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/dev.ts', '--memory'], {
      env: { ...process.env, PORT: String(port), DYNAMODB_LOCAL_PORT: String(dynamoPort), POWERTOOLS_LOG_LEVEL: 'WARN' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      await waitFor(async () => (output.includes('Placard is running') ? true : undefined), 45_000);
      const health = await waitFor(async () => {
        const res = await fetch(`http://127.0.0.1:${port}/health`);
        return res.ok ? ((await res.json()) as { status: string; table: string }) : undefined;
      }, 45_000);
      expect(health).toMatchObject({ status: 'ok', table: 'ok' });
      expect(output).toContain(`http://127.0.0.1:${port}`);
      expect(javaProcessesOnPort(dynamoPort)).toHaveLength(1);

      const docs = await fetch(`http://127.0.0.1:${port}/docs/swagger-ui-bundle.js`);
      expect(docs.status).toBe(200);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    expect(javaProcessesOnPort(dynamoPort)).toEqual([]);
    await expect(fetch(`http://127.0.0.1:${dynamoPort}/`)).rejects.toThrow();
  }, 90_000);
});
