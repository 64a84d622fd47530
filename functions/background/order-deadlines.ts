import { runDueOrders } from '../app/orders/run-due-orders.js';
import type { Job } from './job.js';

/** Expires unanswered order requests (refunding the hold) and completes orders whose review window ended. */
export const orderDeadlinesJob: Job = {
  name: 'order-deadlines',
  run: runDueOrders,
};
