import { orderStore } from '../store/orders.js';
import type { Job } from './job.js';

/** Expires unanswered order requests (refunding the hold) and completes orders whose review window ended. */
export const orderDeadlinesJob: Job = {
  name: 'order-deadlines',
  run: (deps, now) => orderStore(deps).runDue(now),
};
