import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  afterTopUp,
  applyPatch,
  approvedAfter,
  assertValidCampaign,
  releasesOn,
  transition,
  type BudgetHeld,
  type Campaign,
  type CampaignAction,
  type CampaignFields,
  type CampaignPatch,
  type Creative,
  type CreativeContent,
} from '../core/campaigns/campaign.js';
import { postings } from '../core/ledger/ledger.js';
import { IMPRESSIONS_PER_MILLE } from '../core/serving/auction.js';
import { ConflictError, NotFoundError } from '../core/shared/errors.js';
import type { StoreContext } from './context.js';
import { notify } from '../core/webhooks/webhooks.js';
import { batchGetItems } from './batch-get.js';
import { feedKeys } from './change-feed.js';
import type { Db } from './client.js';
import { changedMeanwhile, createOp, putOp, removeOp, saveOp, strip, type Item, type Stored, type TxOp } from './entity.js';
import { getItem, getOwned, queryPage } from './items.js';
import { keys } from './keys.js';
import { livePostedMicros } from './leases.js';
import type { Page } from './pagination.js';
import { refusal, transact, tryTransact, tryWriteOne } from './transact.js';
import { ledgerTxn } from './wallet.js';

/**
 * Campaigns and creatives (issue 5).
 *
 * Items (keys.ts):
 * - campaign `CAMPAIGN#<id> / CAMPAIGN`, gsi1 `TENANT#<adv>#CAMPAIGNS` (the advertiser's list),
 *   gsi2 on the 'campaigns' feed, so every change (status too) reaches the serve instances'
 *   in-memory index within a second. It carries its approved creatives, so a decision needs no
 *   other read of it.
 * - budget `CAMPAIGN#<id> / BUDGET` {remainingMicros, leasedMicros}: written once at the first
 *   activation and then only by budget leases (leases.ts) and by the final release. Billing never
 *   touches the campaign item, so it never floods the feed or races advertisers' edits.
 * - daily spend `CAMPAIGN#<id> / SPEND#<local date>` (billing.ts), creatives `CAMPAIGN#<id> /
 *   CREATIVE#<id>`, and the end-date pointer `CAMPAIGNS#ENDING / <end>#<id>` that the jobs
 *   function Queries to end campaigns past their schedule (never a Scan).
 * Every campaign write is a put conditional on the version read.
 */

const campaignItem = (c: Campaign, version: number): Item => ({
  ...keys.campaign(c.id),
  gsi1pk: keys.tenantCampaigns(c.advertiserId),
  gsi1sk: c.id,
  ...feedKeys('campaigns', c.updatedAt, c.id),
  entity: 'campaign',
  version,
  ...c,
});

// gsi1 finds a creative by its id alone, for the operator's review routes; gsi3 queues it while it awaits review.
const creativeItem = (c: Creative, version: number): Item => ({
  ...keys.creative(c.campaignId, c.id),
  gsi1pk: keys.creativeById(c.id),
  gsi1sk: 'CREATIVE',
  ...(c.review.status === 'pending' ? { gsi3pk: keys.queue('creatives'), gsi3sk: keys.queueEntry(c.updatedAt, c.id) } : {}),
  entity: 'creative',
  version,
  ...c,
});

const endingPointer = (db: Db, c: Campaign, put: boolean): TxOp => {
  // Normalised to UTC: the job compares pointers with now as strings.
  const key = keys.campaignEnding(new Date(c.schedule.end).toISOString(), c.id);
  return put ? putOp(db, { ...key, entity: 'campaignEnding', version: 1, campaignId: c.id }) : removeOp(db, key);
};

type StoreDeps = Pick<StoreContext, 'db' | 'clock' | 'ids'>;

export function campaignStore(deps: StoreDeps) {
  const { db, clock, ids } = deps;
  const now = () => clock().toISOString();

  async function read(id: string, advertiserId?: string): Promise<Stored<Campaign>> {
    return getOwned<Campaign & Record<string, unknown>>(db, keys.campaign(id), 'Campaign', id, advertiserId, 'advertiserId', { consistent: true });
  }

  async function readCreative(campaignId: string, creativeId: string, advertiserId?: string): Promise<Stored<Creative>> {
    return getOwned<Creative & Record<string, unknown>>(db, keys.creative(campaignId, creativeId), 'Creative', creativeId, advertiserId, 'advertiserId', {
      consistent: true,
    });
  }

  const campaignOp = (next: Campaign, readVersion: number): TxOp =>
    saveOp(db, campaignItem(next, readVersion + 1), readVersion, changedMeanwhile(`Campaign ${next.id}`));

  /** Replaces the campaign (version-checked) together with `extra` writes; returns the new campaign. */
  async function save(stored: Pick<Stored<Campaign>, 'version'>, next: Campaign, extra: TxOp[] = []): Promise<Campaign> {
    await transact(db, [campaignOp(next, stored.version), ...extra]);
    return next;
  }

  /**
   * Leaves for good (end, archive) and releases what is left of the budget: read `remaining`,
   * then one transaction that zeroes it only if it is still that value (billing may have
   * decremented it meanwhile: then read again), moves it held → available, and saves the status.
   */
  async function close(stored: Stored<Campaign>, action: CampaignAction): Promise<Campaign> {
    const c = strip<Campaign>(stored);
    const next: Campaign = { ...c, status: transition(c.status, action), funded: false, updatedAt: now() };
    if (!releasesOn(action, c.funded)) return save(stored, { ...next, funded: c.funded });
    for (;;) {
      const budget = await getItem<{ remainingMicros: number }>(db, keys.campaignBudget(c.id), { consistent: true });
      const remaining = budget?.remainingMicros ?? 0;
      const zero: TxOp = {
        item: {
          Update: {
            TableName: db.tableName,
            Key: keys.campaignBudget(c.id),
            // closedAt: leases still out return what they did not bill to available funds (leases.ts).
            UpdateExpression: 'SET remainingMicros = :zero, releasedMicros = :r, closedAt = :now',
            ConditionExpression: 'remainingMicros = :r',
            ExpressionAttributeValues: { ':zero': 0, ':r': remaining, ':now': now() },
          },
        },
        // Under an idempotency key the release commits after the route returns: then it reaches the caller as a 409.
        onConditionFail: () => new ConflictError('The campaign’s budget changed while it was being released; retry'),
      };
      const money =
        remaining > 0
          ? ledgerTxn(deps, { type: 'campaign', id: c.id }, `Campaign ${c.id} ${action}: release unspent budget`, postings.release(c.advertiserId, remaining))
          : [];
      const ops = [campaignOp(next, stored.version), zero, endingPointer(db, c, false), ...money];
      const outcome = await tryTransact(db, ops);
      if (outcome.ok) return next;
      // Billing spent from the budget between the read and the release: read it again.
      if (ops[outcome.op] !== zero) throw refusal(ops, outcome);
    }
  }

  return {
    async create(advertiserId: string, fields: CampaignFields): Promise<Campaign> {
      assertValidCampaign(fields, IMPRESSIONS_PER_MILLE);
      const at = now();
      const c: Campaign = { ...fields, id: ids('cmp'), advertiserId, status: 'draft', funded: false, creatives: [], createdAt: at, updatedAt: at };
      await transact(db, [createOp(db, campaignItem(c, 1), changedMeanwhile(`Campaign ${c.id}`))]);
      return c;
    },

    async get(advertiserId: string | undefined, id: string): Promise<Campaign> {
      return strip<Campaign>(await read(id, advertiserId));
    },

    async list(advertiserId: string, pageQuery: { limit: number; cursor?: string }): Promise<Page<Campaign>> {
      const page = await queryPage<Campaign>(db, { pk: keys.tenantCampaigns(advertiserId), index: 'gsi1', ...pageQuery, newestFirst: true });
      return { items: page.items.map((i) => strip<Campaign>(i)), nextCursor: page.nextCursor };
    },

    async update(advertiserId: string, id: string, patch: CampaignPatch): Promise<Campaign> {
      const stored = await read(id, advertiserId);
      const c = strip<Campaign>(stored);
      const fields = applyPatch(c, patch);
      assertValidCampaign(fields, IMPRESSIONS_PER_MILLE);
      const next: Campaign = { ...c, ...fields, updatedAt: now() };
      // A funded campaign's end-date pointer moves with its schedule.
      const moved = c.funded && next.schedule.end !== c.schedule.end ? [endingPointer(db, c, false), endingPointer(db, next, true)] : [];
      return save(stored, next, moved);
    },

    /** The advertiser's campaign with the version read, for a conditional save (404 unless theirs). */
    async load(advertiserId: string, id: string): Promise<{ campaign: Campaign; version: number }> {
      const stored = await read(id, advertiserId);
      return { campaign: strip<Campaign>(stored), version: stored.version };
    },

    /** Saves a campaign conditional on the version read (409 when it changed meanwhile). */
    async save(version: number, next: Campaign): Promise<Campaign> {
      return save({ version }, next);
    },

    /**
     * Saves an activated campaign. Its first activation (`previous` not yet funded) holds the whole
     * budget (available → held) in the same transaction that writes the budget item, so a failed
     * hold (402) leaves no trace; paused → active moves no money.
     */
    async saveActivated(previous: Campaign, version: number, next: Campaign): Promise<Campaign> {
      if (previous.funded) return save({ version }, next);
      const { id, advertiserId } = previous;
      const total = previous.budget.totalMicros;
      const budget = createOp(
        db,
        {
          ...keys.campaignBudget(id),
          entity: 'campaignBudget',
          version: 1,
          campaignId: id,
          advertiserId,
          totalMicros: total,
          remainingMicros: total,
          leasedMicros: 0,
        },
        () => new ConflictError(`Campaign ${id} was activated by another request`),
      );
      const hold = ledgerTxn(deps, { type: 'campaign', id }, `Campaign ${id}: hold the budget`, postings.hold(advertiserId, total));
      return save({ version }, next, [budget, endingPointer(db, previous, true), ...hold]);
    },

    async archive(advertiserId: string, id: string): Promise<Campaign> {
      return close(await read(id, advertiserId), 'archive');
    },

    /** The jobs function: ends a campaign past its schedule and releases the rest of its budget. */
    async end(id: string): Promise<Campaign> {
      return close(await read(id), 'end');
    },

    /**
     * Billing saw the budget run out: stop serving it everywhere (a feed event) and tell the
     * advertiser's webhooks (`campaign.budget_spent`). Idempotent: only an active campaign is marked;
     * an edit racing in between makes it read again.
     */
    async markExhausted(id: string): Promise<void> {
      for (;;) {
        const stored = await getItem<Campaign>(db, keys.campaign(id), { consistent: true });
        if (stored?.status !== 'active') return;
        const version = stored.version + 1;
        const outcome = await tryWriteOne(db, {
          item: {
            Update: {
              TableName: db.tableName,
              Key: keys.campaign(id),
              UpdateExpression: 'SET #status = :to, updatedAt = :now, gsi2sk = :feed, version = :next, notify = :notify',
              ConditionExpression: '#status = :active AND version = :read',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':to': 'budget_exhausted',
                ':active': 'active',
                ':now': now(),
                ':feed': feedKeys('campaigns', now(), id).gsi2sk,
                ':read': stored.version,
                ':next': version,
                ':notify': notify(['campaign.budget_spent'], [stored.advertiserId], version),
              },
            },
          },
        });
        // Refused: an edit raced in between; read again.
        if (outcome.ok) return;
      }
    },

    /**
     * Adds to a funded campaign's budget: the budget item's total and remaining grow, the money is
     * held (available → held) and the campaign saved, in one transaction (402 without the funds).
     */
    async topUp(advertiserId: string, id: string, amountMicros: number): Promise<{ campaign: Campaign; held: BudgetHeld }> {
      const stored = await read(id, advertiserId);
      // Read before the write: inside an Idempotency-Key request the write is held back until the response is ready.
      const before = (await this.budgets([id])).get(id);
      const c = strip<Campaign>(stored);
      const next: Campaign = { ...c, status: afterTopUp(c), budget: { ...c.budget, totalMicros: c.budget.totalMicros + amountMicros }, updatedAt: now() };
      const budget: TxOp = {
        item: {
          Update: {
            TableName: db.tableName,
            Key: keys.campaignBudget(id),
            UpdateExpression: 'ADD remainingMicros :amount, totalMicros :amount',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':amount': amountMicros },
          },
        },
        onConditionFail: () => new ConflictError(`Campaign ${id} holds no budget`),
      };
      const hold = ledgerTxn(deps, { type: 'campaign', id }, `Campaign ${id}: top up the budget`, postings.hold(advertiserId, amountMicros));
      const campaign = await save(stored, next, [budget, ...hold]);
      return {
        campaign,
        held: {
          ...(before ?? { totalMicros: 0, remainingMicros: 0, releasedMicros: 0, leasedMicros: 0, livePostedMicros: 0 }),
          totalMicros: (before?.totalMicros ?? 0) + amountMicros,
          remainingMicros: (before?.remainingMicros ?? 0) + amountMicros,
        },
      };
    },

    /**
     * The held budget items of these campaigns (absent before activation), by campaign id, with
     * what their live leases have posted so far (read only for campaigns with money leased).
     */
    async budgets(ids: readonly string[]): Promise<Map<string, BudgetHeld>> {
      const found = [
        ...(
          await batchGetItems(
            db,
            ids.map((i) => keys.campaignBudget(i)),
          )
        ).values(),
      ];
      const posted = await livePostedMicros(
        deps,
        found.filter((b) => Number(b.leasedMicros ?? 0) > 0).map((b) => b.campaignId as string),
      );
      return new Map(
        found.map((b) => [
          b.campaignId as string,
          {
            totalMicros: Number(b.totalMicros),
            remainingMicros: Number(b.remainingMicros),
            releasedMicros: Number(b.releasedMicros ?? 0),
            leasedMicros: Number(b.leasedMicros ?? 0),
            livePostedMicros: posted.get(b.campaignId as string) ?? 0,
          },
        ]),
      );
    },

    /** The operator's queue: creatives awaiting review, longest waiting first (a Query on gsi3). */
    async reviewQueue(page: { limit: number; cursor?: string }): Promise<Page<Creative>> {
      const out = await queryPage<Creative>(db, { pk: keys.queue('creatives'), index: 'gsi3', ...page });
      return { ...out, items: out.items.map((i) => strip<Creative>(i)) };
    },

    /** Any creative by id (the operator). */
    async findCreative(creativeId: string): Promise<Creative> {
      return strip<Creative>(await findCreative(creativeId));
    },

    /** Campaigns whose schedule ended by `at`, oldest first (the jobs function). */
    async endingBy(at: string, limit: number): Promise<string[]> {
      const out = await db.doc.send(
        new QueryCommand({
          TableName: db.tableName,
          KeyConditionExpression: 'pk = :pk AND sk <= :at',
          ExpressionAttributeValues: { ':pk': keys.campaignsEnding(), ':at': `${at}#~` },
          Limit: limit,
        }),
      );
      return (out.Items ?? []).map((i) => i.campaignId as string);
    },

    async addCreative(advertiserId: string, campaignId: string, content: CreativeContent): Promise<Creative> {
      const c = strip<Campaign>(await read(campaignId, advertiserId));
      transition(c.status, 'edit');
      const at = now();
      const creative: Creative = { ...content, id: ids('crv'), campaignId, advertiserId, review: { status: 'pending' }, createdAt: at, updatedAt: at };
      await transact(db, [createOp(db, creativeItem(creative, 1), changedMeanwhile(`Creative ${creative.id}`))]);
      return creative;
    },

    async listCreatives(advertiserId: string, campaignId: string): Promise<Creative[]> {
      await read(campaignId, advertiserId);
      const page = await queryPage<Creative>(db, { pk: keys.campaign(campaignId).pk, skPrefix: keys.creativePrefix(campaignId).sk, limit: 100 });
      return page.items.map((i) => strip<Creative>(i));
    },

    /** An edit sends the creative back to review, and off the campaign until approved again. */
    async updateCreative(advertiserId: string, campaignId: string, creativeId: string, patch: Partial<CreativeContent>): Promise<Creative> {
      const stored = await readCreative(campaignId, creativeId, advertiserId);
      const next: Creative = { ...strip<Creative>(stored), ...patch, review: { status: 'pending' }, updatedAt: now() };
      return reviewWrite(stored, next);
    },

    /** Operator review: approved creatives are copied onto the campaign, the others taken off it. */
    async reviewCreative(creativeId: string, verdict: { status: 'approved' | 'rejected'; reason?: string }): Promise<Creative> {
      const stored = await findCreative(creativeId);
      const at = now();
      const next: Creative = { ...strip<Creative>(stored), review: { ...verdict, decidedAt: at }, updatedAt: at };
      return reviewWrite(stored, next, [`creative.${verdict.status}`]);
    },
  };

  /** A creative by its id alone: gsi1 names its campaign, then a consistent read. */
  async function findCreative(creativeId: string): Promise<Stored<Creative>> {
    const found = await queryPage<Creative>(db, { pk: keys.creativeById(creativeId), index: 'gsi1', limit: 1 });
    const campaignId = found.items[0]?.campaignId;
    if (campaignId === undefined) throw new NotFoundError(`Creative ${creativeId} not found`);
    return readCreative(campaignId, creativeId);
  }

  /** Saves a creative and its campaign's approved list; `events` go to the advertiser's webhooks. */
  async function reviewWrite(stored: Stored<Creative>, next: Creative, events: string[] = []): Promise<Creative> {
    const campaign = await read(next.campaignId);
    const c = strip<Campaign>(campaign);
    const updated: Campaign = { ...c, creatives: approvedAfter(c.creatives, next), updatedAt: now() };
    const version = stored.version + 1;
    const item = { ...creativeItem(next, version), ...(events.length > 0 ? { notify: notify(events, [next.advertiserId], version) } : {}) };
    await save(campaign, updated, [saveOp(db, item, stored.version, changedMeanwhile(`Creative ${next.id}`))]);
    return next;
  }
}

export type CampaignStore = ReturnType<typeof campaignStore>;
