import { z } from 'zod';
import { microsInput } from '../shared/money.js';
import type { OrderAction } from './order.js';

/**
 * What a party sends with an order: the brief when booking, and each action's body. One schema per
 * input, checked once where the request comes in (http adds the OpenAPI names); the state machine
 * takes the parsed types and checks only what depends on the order (deadlines, reads, refunds).
 */

const RESOLVE_OUTCOMES = ['pay', 'refund', 'partial'] as const;
export type ResolveOutcome = (typeof RESOLVE_OUTCOMES)[number];

const HttpUrl = z.url({ protocol: /^https?$/ }).max(2000);
const Text = (max: number) => z.string().trim().min(1).max(max);

export const OrderBriefInput = z.object({ title: Text(200), copy: Text(5000), landingUrl: HttpUrl, imageUrl: HttpUrl.optional() });

const Note = z.object({ note: Text(2000).optional() });
const Reason = z.object({ reason: Text(2000).optional() });

/** The body of each action (`POST /v1/orders/{id}/<action>`); the jobs' actions take none. */
export const ACTION_INPUTS = {
  accept: Note,
  reject: Reason,
  cancel: Reason,
  expire: Note,
  'submit-draft': z.object({ content: Text(50_000), previewUrl: HttpUrl.optional() }),
  approve: Note,
  'request-changes': Note,
  publish: z.object({
    postUrl: HttpUrl,
    publishedAt: z.iso.datetime({ offset: true }),
    reads: z.number().int().min(0).optional().meta({ description: 'Required for ad cards: reads at the time of proof' }),
  }),
  confirm: Note,
  dispute: z.object({ reason: Text(2000) }),
  'auto-complete': Note,
  resolve: z.object({
    outcome: z.enum(RESOLVE_OUTCOMES),
    refundMicros: microsInput('The part of the price to refund').optional(),
    note: Text(2000).optional(),
  }),
} satisfies Record<OrderAction, z.ZodObject>;

/** What each action takes, as its schema parses it. */
export type ActionInputs = { [A in OrderAction]: z.output<(typeof ACTION_INPUTS)[A]> };
