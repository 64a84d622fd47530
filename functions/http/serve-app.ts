import { Hono } from 'hono';
import type { Deps } from '../deps.js';
import type { AppEnv } from './env.js';
import { installCommonMiddleware } from './middleware.js';
import { installErrorHandling } from './problem.js';
import { healthResponse } from './health.js';
import { servingRoutes } from './routes/serving.js';
import { tagRoutes } from './routes/tags.js';

/**
 * The serve app (the `serve` Lambda): decisions, tracking and the ad tags, the hot path. Plain Hono, kept
 * small so the function's bundle and cold start stay small.
 */
export function createServeApp(deps: Deps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  installCommonMiddleware(app, deps);
  app.get('/health', healthResponse);
  app.route('/', servingRoutes);
  app.route('/', tagRoutes);
  installErrorHandling(app);
  return app;
}
