import { liveDeps } from './deps.js';
import { handle } from './http/lambda.js';
import { createServeApp } from './http/serve-app.js';

export const handler = handle(createServeApp(liveDeps()));
