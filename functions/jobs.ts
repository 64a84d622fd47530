import type { ScheduledEvent } from 'aws-lambda';
import { runJobs, type JobsReport } from './background/jobs.js';
import { liveDeps } from './deps.js';

export const handler = async (_event: ScheduledEvent): Promise<JobsReport> => runJobs(liveDeps());
