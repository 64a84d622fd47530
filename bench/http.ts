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
  /** DynamoDB read calls the server made during the run, whatever for (its periodic refreshes included). */
  readCalls: number;
  /** Server CPU (user + system) per answered request, µs: unlike req/s, it holds when other processes take the cores. */
  cpuMicrosPerRequest: number;
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

type Answering = { onAnswer?: ((body: string) => void) | undefined };

async function load(
  url: string,
  path: string,
  makeBody: (n: number) => { body: unknown; onAnswer?: (body: string) => void },
  durationSeconds: number,
  connections: number,
): Promise<Omit<HttpFigures, 'target'>> {
  const soFar = async () => (await (await fetch(`${url}/reads`)).json()) as { reads: number; cpuMicros: number };
  const before = await soFar();
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
        // One request at a time per connection: its context carries what to do with the answer.
        setupRequest: (request, context) => {
          const made = makeBody(n++);
          (context as Answering).onAnswer = made.onAnswer;
          return { ...request, body: JSON.stringify(made.body) };
        },
        onResponse: (status, body, context) => {
          total += 1;
          if (status === 200 && body.includes('"impressionUrl"')) filled += 1;
          if (status === 200) (context as Answering).onAnswer?.(body);
        },
      },
    ],
  });
  const after = await soFar();
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    filled,
    total,
    readCalls: after.reads - before.reads,
    cpuMicrosPerRequest: (after.cpuMicros - before.cpuMicros) / Math.max(1, total),
  };
}

/**
 * POST /v1/decisions on the local server (DynamoDB Local, frequency caps on) against a bare
 * Hono route in the same server process, one after the other with the same connections. Pages
 * send the frequency token of their viewer's last decision, as the ad tags do (a viewer's first
 * decision has none), so a warm decision reads nothing; the server counts its read calls.
 */
export async function benchHttp(options: { campaigns: number; durationSeconds: number; connections: number }): Promise<HttpFigures[]> {
  progress(`starting the server with ${options.campaigns} campaigns`);
  const server = await startServer(options.campaigns);
  const url = `http://127.0.0.1:${server.port}`;
  try {
    // The last token each viewer got back, sent with its next decision.
    const tokens = new Map<number, string>();
    const decision = (n: number) => {
      const viewer = n % 5_000;
      const frequencyToken = tokens.get(viewer);
      return {
        body: { adUnitId: server.units[n % server.units.length], viewer: aViewer(viewer), ...(frequencyToken ? { frequencyToken } : {}) },
        onAnswer: (body: string) => {
          const token = (JSON.parse(body) as { frequencyToken?: string }).frequencyToken;
          if (token !== undefined) tokens.set(viewer, token);
        },
      };
    };
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
