import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_DATA_DIR } from './dynamodb-local.js';

/**
 * What a running `npm start` tells other local commands (a second `npm start`, `npm run admin`,
 * `npm run seed`): its pid, its URL, and where its DynamoDB Local answers. Written to
 * `.data/runner.json` once the platform is up, removed when it stops.
 */
export interface RunnerState {
  pid: number;
  url: string;
  dynamoEndpoint: string;
  memory: boolean;
  startedAt: string;
}

const file = (): string => join(LOCAL_DATA_DIR, 'runner.json');

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The running platform's state, or undefined when none runs (no file, or its process is gone). */
export function runningPlatform(): RunnerState | undefined {
  let state: RunnerState;
  try {
    state = JSON.parse(readFileSync(file(), 'utf8')) as RunnerState;
  } catch {
    return undefined;
  }
  return typeof state.pid === 'number' && alive(state.pid) ? state : undefined;
}

export function writeRunnerState(state: RunnerState): void {
  mkdirSync(LOCAL_DATA_DIR, { recursive: true });
  writeFileSync(file(), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** Removes the state file if it is this process's. */
export function clearRunnerState(pid: number): void {
  if (runningPlatform()?.pid === pid) rmSync(file(), { force: true });
}
