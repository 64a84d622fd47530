import { liveDeps } from './deps.js';
import { handle } from './http/lambda.js';
import { createServeApp } from './http/serve-app.js';
import { serveEngine } from './app/serving/serve-engine.js';

const deps = liveDeps();
export const handler = handle(createServeApp(deps));
// Cold start: campaigns, budgets and the tracking key load during init, not in the first request.
serveEngine(deps).warm();
