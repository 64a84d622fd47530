import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Campaign } from '../core/campaigns/campaign.js';
import { postings } from '../core/ledger/ledger.js';
import { counterAttribute, frequencyWindow, staleCounters, viewerExpiry, type FrequencyCap } from '../core/serving/frequency.js';
import { hourKey } from '../core/serving/reports.js';
import type { TrackingPayload, TrackingRef } from '../core/serving/tracking.js';
import { localDate } from '../core/serving/viewer.js';
import { InsufficientFundsError } from '../core/shared/errors.js';
import type { Deps } from '../deps.js';
import { keys } from './keys.js';
import { addCounters, LIFETIME, type Increments } from './reports.js';
import { isConditionFailure, transact, type TxOp } from './transact.js';
import { ledgerTxn } from './wallet.js';

/**
 * Billing one tracking event, exactly once and never past a budget.
 *
 * One TransactWriteItems per event:
 * - impression: put `DEC#<id> / IMP` if absent (a second one is a replay);
 *   click: check `DEC#<id> / IMP` exists (no click before its impression), put `DEC#<id> / CLK` if absent;
 * - when the event carries a charge: `remainingMicros >= charge` decrement of the campaign's
 *   budget item, the same on today's spend item when the campaign has a daily budget (created on
 *   first use with the daily budget), and the ledger capture (held → owner earned + platform fee).
 * A failed condition cancels it all: nothing is billed, and the reason says which rule stopped it.
 * Many instances bill the same campaign at once, so conflicts on its budget item are retried
 * (BILLING_ATTEMPTS) until each event has a definite outcome: that is what makes "2000 clicks
 * against a budget for 1500" bill exactly 1500. Counters (reports, frequency) are written after
 * the money, outside the transaction: a lost counter write never moves money.
 */

/** `budget`: the lifetime budget is spent (the campaign stops); `daily_budget`: only today's is. */
export type Outcome =
  | 'billed'
  | 'recorded'
  | 'replay'
  | 'no_impression'
  | 'budget'
  | 'daily_budget'
  | 'expired'
  | 'forged'
  | 'malformed'
  | 'bot'
  | 'fingerprint_mismatch'
  | 'too_fast'
  | 'wrong_origin';

/** Outcomes counted as invalid traffic; `budget` is a campaign running dry, not the viewer's fault. */
export const INVALID: ReadonlySet<Outcome> = new Set(['replay', 'no_impression', 'expired', 'forged', 'malformed', 'bot', 'fingerprint_mismatch', 'too_fast', 'wrong_origin']);

class NotBilled extends Error {
  constructor(readonly outcome: Outcome) {
    super(outcome);
  }
}

const MS_PER_HOUR = 3_600_000;
const MS_PER_SECOND = 1000;

type BillDeps = Pick<Deps, 'db' | 'clock' | 'ids' | 'config'>;

export interface BillInput {
  payload: TrackingPayload & { ref: TrackingRef };
  /** The campaign as the serve instance knows it (for its zone, daily budget and cap); absent → no daily or frequency write. */
  campaign: Campaign | undefined;
  /** The caps of the campaigns this instance knows, for the viewer's frequency item (TTL, stale counters). */
  caps: FrequencyCaps;
  /** Where the event came from, as the platform saw it: the decision's network fingerprint (the event's matched it). */
  source: { fingerprint: string };
}

export interface FrequencyCaps {
  /** A campaign's cap; null when it never serves again (ended, archived); undefined when unknown or uncapped. */
  capOf: (campaignId: string) => FrequencyCap | null | undefined;
  /** The longest cap (hours) of any campaign that may still serve. */
  maxPerHours: number;
}

function moneyOps(deps: BillDeps, input: BillInput, now: Date): TxOp[] {
  const { payload, campaign } = input;
  const { db } = deps;
  const charge = payload.chargeMicros;
  const budget: TxOp = {
    item: {
      Update: {
        TableName: db.tableName,
        Key: keys.campaignBudget(payload.campaignId),
        UpdateExpression: 'SET remainingMicros = remainingMicros - :c',
        ConditionExpression: 'remainingMicros >= :c',
        ExpressionAttributeValues: { ':c': charge },
      },
    },
    onConditionFail: () => new NotBilled('budget'),
  };
  const daily = campaign?.budget.dailyMicros;
  const spend: TxOp[] =
    daily == null
      ? []
      : [
          {
            item: {
              Update: {
                TableName: db.tableName,
                Key: keys.campaignSpend(payload.campaignId, localDate(now, campaign!.schedule.timezone)),
                UpdateExpression: 'SET remainingMicros = if_not_exists(remainingMicros, :daily) - :c, entity = :entity, expiresAt = :ttl ADD spentMicros :c',
                ConditionExpression: 'attribute_not_exists(remainingMicros) OR remainingMicros >= :c',
                ExpressionAttributeValues: { ':c': charge, ':daily': daily, ':entity': 'campaignSpend', ':ttl': Math.ceil((now.getTime() + 3 * 24 * MS_PER_HOUR) / MS_PER_SECOND) },
              },
            },
            onConditionFail: () => new NotBilled('daily_budget'),
          },
        ];
  const { advertiserId, publisherId } = payload.ref;
  const capture = postings.capture(advertiserId, publisherId, charge, deps.config.PLATFORM_FEE_BPS);
  const ledger = ledgerTxn(deps, { type: 'decision', id: payload.decisionId }, `${payload.event === 'i' ? 'Impression' : 'Click'} on ${payload.adUnitId} for ${payload.campaignId}`, capture);
  return [budget, ...spend, ...ledger];
}

function dedupeItem(deps: BillDeps, payload: TrackingPayload, event: 'IMP' | 'CLK', billed: boolean): Record<string, unknown> & { pk: string; sk: string } {
  // Kept an hour past the token's expiry: after that the token itself is refused.
  return { ...keys.decisionEvent(payload.decisionId, event), entity: 'decisionEvent', version: 1, campaignId: payload.campaignId, billed, expiresAt: payload.exp + MS_PER_HOUR / MS_PER_SECOND };
}

/** Records and bills one verified event; returns what happened. */
export async function bill(deps: BillDeps, input: BillInput): Promise<Outcome> {
  const { db } = deps;
  const { payload } = input;
  const now = deps.clock();
  const charged = payload.chargeMicros > 0;
  const ops: TxOp[] = [];
  if (payload.event === 'c') {
    ops.push({
      item: { ConditionCheck: { TableName: db.tableName, Key: keys.decisionEvent(payload.decisionId, 'IMP'), ConditionExpression: 'attribute_exists(pk)' } },
      onConditionFail: () => new NotBilled('no_impression'),
    });
  }
  const event = payload.event === 'i' ? 'IMP' : 'CLK';
  ops.push({
    item: { Put: { TableName: db.tableName, Item: dedupeItem(deps, payload, event, charged), ConditionExpression: 'attribute_not_exists(pk)' } },
    onConditionFail: () => new NotBilled('replay'),
  });
  if (charged) ops.push(...moneyOps(deps, input, now));
  try {
    await transact(db, ops, deps.config.BILLING_ATTEMPTS);
  } catch (error) {
    if (error instanceof InsufficientFundsError) return 'budget';
    if (!(error instanceof NotBilled)) throw error;
    // An unaffordable event still happened: record it (unbilled), so its click is not "without
    // impression" and a second copy of it is a replay, as it would be had it been billed.
    if (error.outcome === 'budget' || error.outcome === 'daily_budget') await recordUnbilled(deps, payload, event);
    return error.outcome;
  }
  return charged ? 'billed' : 'recorded';
}

async function recordUnbilled(deps: BillDeps, payload: TrackingPayload, event: 'IMP' | 'CLK'): Promise<void> {
  const { db } = deps;
  try {
    await db.doc.send(new PutCommand({ TableName: db.tableName, Item: dedupeItem(deps, payload, event, false), ConditionExpression: 'attribute_not_exists(pk)' }));
  } catch (error) {
    // Already recorded by a concurrent copy of the same event: nothing to add.
    if (!isConditionFailure(error)) throw error;
  }
}

/** The counters an event moves: reports per campaign (hour and lifetime), unit and account; the viewer's frequency counter. */
export async function countEvent(deps: BillDeps, input: BillInput, outcome: Outcome): Promise<void> {
  const { payload, campaign } = input;
  const now = deps.clock();
  const hour = hourKey(now);
  // An impression shown but not affordable still counts towards the viewer's cap.
  const shown = outcome === 'billed' || outcome === 'recorded' || outcome === 'budget' || outcome === 'daily_budget';
  const inc: Increments = INVALID.has(outcome)
    ? { invalid: 1 }
    : {
        [payload.event === 'i' ? 'impressions' : 'clicks']: 1,
        spendMicros: outcome === 'billed' ? payload.chargeMicros : 0,
      };
  const writes = [
    addCounters(deps.db, { dimension: 'campaign', id: payload.campaignId, period: hour }, inc),
    addCounters(deps.db, { dimension: 'campaign', id: payload.campaignId, period: LIFETIME }, inc),
    addCounters(deps.db, { dimension: 'adUnit', id: payload.adUnitId, period: hour }, inc),
    addCounters(deps.db, { dimension: 'account', id: payload.ref.accountId, period: hour }, inc),
  ];
  const cap = campaign?.frequencyCap;
  if (payload.event === 'i' && shown && cap != null) writes.push(countImpression(deps, input, cap, now));
  await Promise.all(writes);
}

/**
 * ADDs the impression to the viewer's frequency item (one attribute per campaign and bucket) and
 * pushes its TTL to the end of the longest live window. The update returns the item: when it holds
 * counters no window reads any more (about once a bucket per viewer), a second update REMOVEs
 * them, so the item — read whole by every decision for this viewer — stays small. Removing never
 * races an ADD: only the current bucket is ever added to, and a stale bucket is an old one.
 * DynamoDB cannot keep the larger of two TTLs in one update, so an instance whose campaign view
 * lags (≤ the feed interval) may write a shorter one; the next impression pushes it out again.
 */
async function countImpression(deps: BillDeps, input: BillInput, cap: FrequencyCap, now: Date): Promise<void> {
  const { payload, caps } = input;
  const key = keys.viewerFrequency(payload.ref.viewerHash);
  const window = frequencyWindow(cap, now);
  const expiresAt = Math.max(window.expiresAtEpochSeconds, viewerExpiry(caps.maxPerHours, now));
  const out = await deps.db.doc.send(
    new UpdateCommand({
      TableName: deps.db.tableName,
      Key: key,
      UpdateExpression: 'ADD #counter :one SET expiresAt = :ttl, entity = :entity',
      ExpressionAttributeNames: { '#counter': counterAttribute(payload.campaignId, window.incrementKey) },
      ExpressionAttributeValues: { ':one': 1, ':ttl': expiresAt, ':entity': 'frequency' },
      ReturnValues: 'ALL_NEW',
    }),
  );
  const stale = staleCounters(Object.keys(out.Attributes ?? {}), caps.capOf, Math.max(caps.maxPerHours, cap.perHours), now);
  if (stale.length === 0) return;
  await deps.db.doc.send(
    new UpdateCommand({
      TableName: deps.db.tableName,
      Key: key,
      UpdateExpression: `REMOVE ${stale.map((_, i) => `#s${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(stale.map((name, i) => [`#s${i}`, name])),
    }),
  );
}
