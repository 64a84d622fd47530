import { liveDeps } from './deps.js';
import { createApp } from './http/app.js';
import { handle } from './http/lambda.js';

export const handler = handle(createApp(liveDeps()));
