import { createHash, createHmac, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { ORDER_EVENTS } from '../orders/state-machine.js';
import type { FieldIssue } from '../shared/errors.js';
import { isPublicAddress } from './addresses.js';

/** The events a webhook can subscribe to: every order event (the order machine names them) and the payout events. */
export const PAYOUT_EVENTS = ['payout.requested', 'payout.paid', 'payout.failed'] as const;
/** Operator verdicts and campaign budgets (issue 12): told to the account's owner or the campaign's advertiser. */
export const REVIEW_EVENTS = ['account.verified', 'account.rejected', 'creative.approved', 'creative.rejected', 'campaign.budget_spent'] as const;
export const WEBHOOK_EVENTS = [...ORDER_EVENTS, ...PAYOUT_EVENTS, ...REVIEW_EVENTS] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const isWebhookEvent = (value: string): value is WebhookEvent => (WEBHOOK_EVENTS as readonly string[]).includes(value);

/**
 * What an item carries, in the same write as its state change, when that change should reach
 * webhooks: the events it raises, the tenants told, and the item version it belongs to (a later
 * write that does not notify leaves a stale `notify` whose version no longer matches).
 */
export interface Notify {
  events: string[];
  tenantIds: string[];
  version: number;
}

export const notify = (events: readonly string[], tenantIds: readonly string[], version: number): Notify => ({
  events: [...events],
  tenantIds: [...new Set(tenantIds)],
  version,
});

/** The notification a changed item raises, or none: new or changed images whose `notify` belongs to this very version. */
export function raisedNotify(newImage: Record<string, unknown> | undefined, oldImage: Record<string, unknown> | undefined): Notify | undefined {
  const note = newImage?.notify as Notify | undefined;
  if (!newImage || !note || note.version !== newImage.version || oldImage?.version === newImage.version) return undefined;
  return note;
}

const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 24;
const SALT_BYTES = 16;

/** A new webhook's salt: random, and no secret without the server key. */
export const newWebhookSalt = (): string => randomBytes(SALT_BYTES).toString('hex');

/**
 * A webhook's signing secret in the Standard Webhooks format (`whsec_` + base64), derived from the
 * server key and the webhook's salt, so that the table keeps the salt and never the secret.
 */
export function webhookSecret(serverKey: string, salt: string): string {
  const mac = createHmac('sha256', serverKey).update(`placard webhook signing secret\n${salt}`).digest();
  return `${SECRET_PREFIX}${mac.subarray(0, SECRET_BYTES).toString('base64')}`;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * https only; plain http only to this machine, and only where private networks are allowed
 * (local development and tests). An address literal that is not public (loopback, private,
 * metadata service… in any spelling the URL parser accepts: `2130706433`, `0x7f.1`,
 * `[::ffff:127.0.0.1]`) is refused here already; names are checked when a delivery connects.
 */
export function validateWebhookUrl(url: string, allowPrivateNetworks: boolean): FieldIssue[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [{ field: 'url', message: 'must be an absolute URL' }];
  }
  if (parsed.username || parsed.password) return [{ field: 'url', message: 'must not carry credentials' }];
  if (
    !allowPrivateNetworks &&
    (parsed.hostname === 'localhost' || (isIP(parsed.hostname.replace(/^\[|\]$/g, '')) !== 0 && !isPublicAddress(parsed.hostname)))
  ) {
    return [{ field: 'url', message: 'must not point at a loopback, private, link-local or reserved address' }];
  }
  if (parsed.protocol === 'https:') return [];
  if (parsed.protocol === 'http:' && allowPrivateNetworks && LOCAL_HOSTS.has(parsed.hostname)) return [];
  return [{ field: 'url', message: allowPrivateNetworks ? 'must be https (or http to localhost)' : 'must be https' }];
}

/** The body of a delivery (Standard Webhooks' recommended shape); `data` is the object as subscribers see it. */
export const webhookPayload = (event: string, at: Date, data: Record<string, unknown>): string =>
  JSON.stringify({ type: event, timestamp: at.toISOString(), data });

/**
 * The same notification of the same item version to the same webhook always gets the same key,
 * so a stream batch that is delivered again finds its deliveries already made.
 */
export function deliveryKey(item: { pk: unknown; sk: unknown; version: unknown }, webhookId: string, event: string): string {
  return createHash('sha256')
    .update(JSON.stringify([item.pk, item.sk, item.version, webhookId, event]))
    .digest('base64url');
}

export interface RetryPolicy {
  baseSeconds: number;
  maxSeconds: number;
  maxAttempts: number;
}

/**
 * After `attempts` failed attempts: when to try again (base × 2^(attempts−1), capped), or
 * undefined when the delivery has used its attempts and is given up.
 */
export function nextAttemptAt(attempts: number, now: Date, policy: RetryPolicy): Date | undefined {
  if (attempts >= policy.maxAttempts) return undefined;
  const delaySeconds = Math.min(policy.baseSeconds * 2 ** Math.max(0, attempts - 1), policy.maxSeconds);
  return new Date(now.getTime() + delaySeconds * 1000);
}

export interface CircuitPolicy {
  /** Failed attempts in a row that open the circuit. */
  failures: number;
  cooldownSeconds: number;
}

/**
 * After a failed attempt that brought an endpoint's run of failures to `failures`: until when
 * its circuit is open (no attempts; its deliveries wait without spending attempts), or undefined
 * while it stays closed. Once the cool-down passes one attempt goes through (half-open): a success
 * closes the circuit, a failure opens it again at once, since the run is still over the threshold.
 */
export function circuitOpenUntil(failures: number, at: Date, policy: CircuitPolicy): Date | undefined {
  return failures >= policy.failures ? new Date(at.getTime() + policy.cooldownSeconds * 1000) : undefined;
}
