import type { Context } from 'hono';
import { lastJobsRun } from '../store/system.js';
import type { AppEnv } from './env.js';

export interface Health {
  status: 'ok' | 'degraded';
  table: 'ok' | 'unreachable';
  jobsLastRunAt: string | null;
}

/**
 * GET /health for both apps: one GetItem on the jobs heartbeat tells whether the table answers
 * and when the schedule last ran. Kept free of zod-openapi so the serve bundle stays small.
 */
export async function healthResponse(c: Context<AppEnv>): Promise<Response> {
  try {
    const jobsLastRunAt = (await lastJobsRun(c.var.deps.db)) ?? null;
    return c.json<Health>({ status: 'ok', table: 'ok', jobsLastRunAt }, 200);
  } catch (error) {
    c.var.log.warn('health check: table unreachable', { error });
    return c.json<Health>({ status: 'degraded', table: 'unreachable', jobsLastRunAt: null }, 503);
  }
}
