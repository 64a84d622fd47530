import { ValidationError } from '../../core/shared/errors.js';
import { newWebhookSalt, validateWebhookUrl, webhookSecret, type WebhookEvent } from '../../core/webhooks/webhooks.js';
import type { StoreContext } from '../../store/context.js';
import { webhookStore, type Webhook } from '../../store/webhooks.js';

/**
 * A tenant registers a webhook:
 * 1. decide (core): the URL must be one Placard may post to (400); each event once;
 * 2. derive its signing secret from a new salt and the server key (only the salt is stored);
 * 3. write it, counted against WEBHOOKS_PER_TENANT (409 beyond), and return the secret this once.
 */
export async function createWebhook(
  ctx: Pick<StoreContext, 'db' | 'ids' | 'clock' | 'config' | 'trackingSecret'>,
  tenantId: string,
  input: { url: string; events: WebhookEvent[] },
): Promise<{ webhook: Webhook; secret: string }> {
  const issues = validateWebhookUrl(input.url, ctx.config.WEBHOOK_ALLOW_PRIVATE_NETWORKS);
  if (issues.length > 0) throw new ValidationError('Invalid webhook', issues);
  const webhook: Webhook = { id: ctx.ids('whk'), tenantId, url: input.url, events: [...new Set(input.events)], createdAt: ctx.clock().toISOString() };
  const secretSalt = newWebhookSalt();
  const secret = webhookSecret(await ctx.trackingSecret(), secretSalt);
  await webhookStore(ctx).create(webhook, secretSalt);
  return { webhook, secret };
}
