import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Deps } from '../deps.js';
import { authenticate, SESSION_COOKIE } from './auth.js';
import type { AppEnv } from './env.js';
import { idempotency } from './idempotency.js';
import { installCommonMiddleware } from './middleware.js';
import { installErrorHandling } from './problem.js';
import { documentCommonErrors, router } from './openapi.js';
import { docsRoutes, systemRoutes } from './routes/system.js';
import { adminRoutes } from './routes/admin.js';
import { tenantRoutes } from './routes/tenants.js';
import { peopleRoutes } from './routes/people.js';
import { accountRoutes } from './routes/accounts.js';
import { adUnitRoutes } from './routes/ad-units.js';
import { marketplaceRoutes } from './routes/marketplace.js';
import { slotRoutes } from './routes/slots.js';
import { payoutRoutes } from './routes/payouts.js';
import { walletRoutes } from './routes/wallet.js';
import { webhookRoutes } from './routes/webhooks.js';
import { orderRoutes } from './routes/orders.js';
import { campaignRoutes } from './routes/campaigns.js';
import { reportRoutes } from './routes/reports.js';
import { registerServeDocs } from './serve-docs.js';

/**
 * The management API (the `api` Lambda): tenants, marketplace, orders, money, reports.
 * Built from its dependencies so tests run it with `app.request` against DynamoDB Local.
 */
export function createApp(deps: Deps): OpenAPIHono<AppEnv> {
  const app = router();
  installCommonMiddleware(app, deps);
  app.use('/v1/*', authenticate());
  app.use('/v1/*', idempotency());

  app.route('/', systemRoutes);
  app.route('/', docsRoutes);
  app.route('/', tenantRoutes).route('/', peopleRoutes);
  app.route('/', adminRoutes);
  app.route('/', accountRoutes).route('/', slotRoutes).route('/', adUnitRoutes).route('/', marketplaceRoutes);
  app.route('/', orderRoutes);
  app.route('/', campaignRoutes).route('/', reportRoutes);
  app.route('/', walletRoutes).route('/', payoutRoutes).route('/', webhookRoutes);
  documentCommonErrors(app.openAPIRegistry);
  registerServeDocs(app);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key from signup or POST /v1/api-keys',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description:
      'The console’s session cookie, from POST /v1/sessions. State-changing requests signed in by it must carry this origin’s `Origin` header (CSRF).',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Placard API',
      version: '1.0.0',
      description:
        'Ad marketplace for official accounts: direct sponsored posts and programmatic ad units on one ledger. Money is in integer micros (1 unit = 1 000 000 micros).',
    },
  });
  installErrorHandling(app);
  return app;
}
