import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { progress } from './report.js';
import { BROWSER_UA } from '../test/support/http.js';
import { aViewer } from './serving-world.js';

export interface HttpFigures {
  target: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  /** Decisions that returned an ad (decisions only). */
  filled: number;
  total: number;
}

async function startServer(campaigns: number): Promise<{ port: number; units: string[]; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/http-server.ts', String(campaigns)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
  });
  const ready = await new Promise<{ port: number; units: string[] }>((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => l.startsWith('READY '));
      if (line) resolve(JSON.parse(line.slice('READY '.length)) as { port: number; units: string[] });
    });
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return {
    ...ready,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function load(
  url: string,
  path: string,
  makeBody: (n: number) => unknown,
  durationSeconds: number,
  connections: number,
): Promise<Omit<HttpFigures, 'target'>> {
  let n = 0;
  let filled = 0;
  let total = 0;
  const result = await autocannon({
    url,
    connections,
    duration: durationSeconds,
    requests: [
      {
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', 'user-agent': BROWSER_UA },
        setupRequest: (request) => ({ ...request, body: JSON.stringify(makeBody(n++)) }),
        onResponse: (status, body) => {
          total += 1;
          if (status === 200 && body.includes('"impressionUrl"')) filled += 1;
        },
      },
    ],
  });
  return { requestsPerSecond: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99, non2xx: result.non2xx, filled, total };
}

/**
 * POST /v1/decisions on the local server (DynamoDB Local, frequency caps on) against a bare
 * Hono route in the same server process, one after the other with the same connections.
 */
export async function benchHttp(options: { campaigns: number; durationSeconds: number; connections: number }): Promise<HttpFigures[]> {
  progress(`starting the server with ${options.campaigns} campaigns`);
  const server = await startServer(options.campaigns);
  const url = `http://127.0.0.1:${server.port}`;
  try {
    const decision = (n: number) => ({ adUnitId: server.units[n % server.units.length], viewer: aViewer(n % 5_000) });
    progress('warming up');
    await load(url, '/v1/decisions', decision, 2, options.connections);
    progress(`decisions for ${options.durationSeconds} s`);
    const decisions = await load(url, '/v1/decisions', decision, options.durationSeconds, options.connections);
    progress(`bare route for ${options.durationSeconds} s`);
    const bare = await load(url, '/bare', decision, options.durationSeconds, options.connections);
    return [
      { target: 'POST /v1/decisions', ...decisions },
      { target: 'bare Hono route', ...bare },
    ];
  } finally {
    await server.stop();
  }
}
