import type { Db } from './client.js';
import { putOp, updateOp } from './entity.js';
import { getItem } from './items.js';
import { keys } from './keys.js';
import { writeOne } from './transact.js';

/**
 * The platform's own items: the jobs heartbeat (`SYSTEM / JOBS`), which /health reads, and the
 * operator's counts (`SYSTEM / STATS`), which the stream keeps. Neither is written by requests.
 */

export interface JobsHeartbeat {
  lastRunAt: string;
  results: { job: string; handled: number; error?: string }[];
}

export async function writeHeartbeat(db: Db, beat: JobsHeartbeat): Promise<void> {
  await writeOne(db, putOp(db, { ...keys.jobsHeartbeat(), entity: 'heartbeat', version: 1, ...beat }));
}

/** When the jobs last ran (undefined before their first run). Throws when the table is unreachable. */
export async function lastJobsRun(db: Db): Promise<string | undefined> {
  return (await getItem<JobsHeartbeat>(db, keys.jobsHeartbeat()))?.lastRunAt;
}

/** Counts are top-level `count_<name>` attributes, so ADD starts each from zero without a setup write. */
export async function addToCount(db: Db, name: string, delta: number): Promise<void> {
  await writeOne(db, updateOp(db, keys.stats(), { add: { [`count_${name}`]: delta }, set: { entity: 'stats' } }));
}

/** Every count, by name. */
export async function counts(db: Db): Promise<Record<string, number>> {
  const item = await getItem<Record<string, unknown>>(db, keys.stats());
  return Object.fromEntries(
    Object.entries(item ?? {})
      .filter(([name]) => name.startsWith('count_'))
      .map(([name, value]) => [name.slice('count_'.length), Number(value)]),
  );
}
