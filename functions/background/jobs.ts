import type { Deps } from '../deps.js';
import { writeHeartbeat } from '../store/system.js';
import { orderDeadlinesJob } from './order-deadlines.js';
import { campaignEndsJob } from './campaign-ends.js';
import { webhookDeliveries } from './webhooks.js';
import { settleExpiredLeases } from '../app/billing/settle-leases.js';
import { clearEarnings } from '../app/billing/clear-earnings.js';
import type { Job } from './job.js';

/** The jobs the schedule runs, in order. Each capability adds its own (deadlines, pacing, payouts). */
export const jobs: Job[] = [
  orderDeadlinesJob,
  campaignEndsJob,
  webhookDeliveries,
  { name: 'settle-leases', run: settleExpiredLeases },
  { name: 'clear-earnings', run: clearEarnings },
];

export interface JobsReport {
  ranAt: string;
  results: { job: string; handled: number; error?: string }[];
}

/**
 * Runs every job once. One job's failure is logged and reported but does not stop the others;
 * the heartbeat item records the run so /health can show the schedule is alive.
 */
export async function runJobs(deps: Deps, list: readonly Job[] = jobs): Promise<JobsReport> {
  const now = deps.clock();
  const results: JobsReport['results'] = [];
  for (const job of list) {
    try {
      results.push({ job: job.name, handled: await job.run(deps, now) });
    } catch (error) {
      deps.logger.error('job failed', { job: job.name, error });
      results.push({ job: job.name, handled: 0, error: error instanceof Error ? error.message : String(error) });
    }
  }
  const report = { ranAt: now.toISOString(), results };
  await writeHeartbeat(deps.db, { lastRunAt: report.ranAt, results });
  return report;
}
