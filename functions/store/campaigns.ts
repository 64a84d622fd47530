import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { BudgetMove } from '../core/campaigns/budget-moves.js';
import type { BudgetHeld, Campaign, Creative } from '../core/campaigns/campaign.js';
import { ConflictError, NotFoundError } from '../core/shared/errors.js';
import type { StoreContext } from './context.js';
import { notify } from '../core/webhooks/webhooks.js';
import { batchGetItems } from './batch-get.js';
import { feedKeys } from './change-feed.js';
import type { Db } from './client.js';
import { changedMeanwhile, createOp, putOp, removeOp, replaceOp, strip, updateOp, type Item, type Stored, type TxOp } from './entity.js';
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
 * Every campaign write is a put conditional on the version read. The rules of each change live
 * in core/campaigns/changes.ts; the use cases in app/campaigns call them and save here.
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

/** A stored object with the version read, for a conditional save. */
export interface Versioned<T> {
  version: number;
  value: T;
}

export function campaignStore(deps: StoreDeps) {
  const { db, clock } = deps;
  const now = () => clock().toISOString();

  async function read(id: string, advertiserId?: string): Promise<Stored<Campaign>> {
    return getOwned<Campaign & Record<string, unknown>>(db, keys.campaign(id), 'Campaign', id, advertiserId, 'advertiserId', { consistent: true });
  }

  async function readCreative(campaignId: string, creativeId: string, advertiserId?: string): Promise<Stored<Creative>> {
    return getOwned<Creative & Record<string, unknown>>(db, keys.creative(campaignId, creativeId), 'Creative', creativeId, advertiserId, 'advertiserId', {
      consistent: true,
    });
  }

  const moneyOps = (move: BudgetMove | undefined): TxOp[] => (move ? ledgerTxn(deps, move.cause, move.memo, move.lines) : []);

  const versioned = <T>(stored: Stored<T>): Versioned<T> => ({ value: strip<T>(stored), version: stored.version });

  const campaignOp = (next: Campaign, readVersion: number, events: readonly string[] = []): TxOp => {
    const version = readVersion + 1;
    const item = { ...campaignItem(next, version), ...(events.length > 0 ? { notify: notify(events, [next.advertiserId], version) } : {}) };
    return replaceOp(db, item, readVersion, changedMeanwhile(`Campaign ${next.id}`));
  };

  /**
   * Replaces the campaign (version-checked) together with `extra` writes; a funded campaign's
   * end-date pointer moves with its schedule.
   */
  async function save(previous: Campaign, version: number, next: Campaign, extra: TxOp[] = []): Promise<Campaign> {
    const moved = previous.funded && next.schedule.end !== previous.schedule.end ? [endingPointer(db, previous, false), endingPointer(db, next, true)] : [];
    await transact(db, [campaignOp(next, version), ...moved, ...extra]);
    return next;
  }

  return {
    /** A campaign with the version read (404 unless the advertiser's; any campaign without one). */
    async load(advertiserId: string | undefined, id: string): Promise<Versioned<Campaign>> {
      return versioned(await read(id, advertiserId));
    },

    async get(advertiserId: string | undefined, id: string): Promise<Campaign> {
      return strip<Campaign>(await read(id, advertiserId));
    },

    async list(advertiserId: string, pageQuery: { limit: number; cursor?: string }): Promise<Page<Campaign>> {
      const page = await queryPage<Campaign>(db, { pk: keys.tenantCampaigns(advertiserId), index: 'gsi1', ...pageQuery, newestFirst: true });
      return { items: page.items.map((i) => strip<Campaign>(i)), nextCursor: page.nextCursor };
    },

    async create(campaign: Campaign): Promise<void> {
      await transact(db, [createOp(db, campaignItem(campaign, 1), changedMeanwhile(`Campaign ${campaign.id}`))]);
    },

    /** Saves a campaign conditional on the version read (409 when it changed meanwhile). */
    save,

    /**
     * Saves a campaign as one write outside any request (billing's budget_exhausted), with
     * `events` for the advertiser's webhooks; false when it changed since the version read.
     */
    async trySave(version: number, next: Campaign, events: readonly string[]): Promise<boolean> {
      return (await tryWriteOne(db, campaignOp(next, version, events))).ok;
    },

    /**
     * Saves a campaign's first activation: `hold` (core/campaigns/budget-moves.ts) in the same
     * transaction that writes the budget item and the end-date pointer, so a failed hold (402)
     * leaves no trace.
     */
    async saveFunded(previous: Campaign, version: number, next: Campaign, hold: BudgetMove): Promise<Campaign> {
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
      return save(previous, version, next, [budget, endingPointer(db, previous, true), ...moneyOps(hold)]);
    },

    /**
     * Saves a topped-up campaign: the budget item's total and remaining grow by `amountMicros`,
     * `hold` is posted and the campaign saved, in one transaction (402 without the funds, 409 when
     * the campaign has no budget item).
     */
    async saveTopUp(previous: Campaign, version: number, next: Campaign, amountMicros: number, hold: BudgetMove): Promise<Campaign> {
      const { id } = previous;
      const budget = updateOp(
        db,
        keys.campaignBudget(id),
        { add: { remainingMicros: amountMicros, totalMicros: amountMicros } },
        { exists: true },
        () => new ConflictError(`Campaign ${id} holds no budget`),
      );
      return save(previous, version, next, [budget, ...moneyOps(hold)]);
    },

    /**
     * Saves a campaign that leaves for good, and with `release` (what core moves for the budget
     * left) gives it back: read `remaining`, then one transaction that zeroes it only if it is
     * still that value (billing may have decremented it meanwhile: then read again), posts
     * `release(remaining)` and saves the status.
     */
    async saveClosed(
      previous: Campaign,
      version: number,
      next: Campaign,
      release: ((remainingMicros: number) => BudgetMove | undefined) | undefined,
    ): Promise<Campaign> {
      if (!release) return save(previous, version, next);
      const { id } = previous;
      for (;;) {
        const budget = await getItem<{ remainingMicros: number }>(db, keys.campaignBudget(id), { consistent: true });
        const remaining = budget?.remainingMicros ?? 0;
        // closedAt: leases still out return what they did not bill to available funds (leases.ts).
        const zero = updateOp(
          db,
          keys.campaignBudget(id),
          { set: { remainingMicros: 0, releasedMicros: remaining, closedAt: now() } },
          { is: { remainingMicros: remaining } },
          // Under an idempotency key the release commits after the route returns: then it reaches the caller as a 409.
          () => new ConflictError('The campaign’s budget changed while it was being released; retry'),
        );
        const money = moneyOps(release(remaining));
        const ops = [campaignOp(next, version), zero, endingPointer(db, previous, false), ...money];
        const outcome = await tryTransact(db, ops);
        if (outcome.ok) return next;
        // Billing spent from the budget between the read and the release: read it again.
        if (ops[outcome.op] !== zero) throw refusal(ops, outcome);
      }
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

    /** Any creative by id alone (the operator), with the version read. */
    async loadCreativeById(creativeId: string): Promise<Versioned<Creative>> {
      return versioned(await findCreative(creativeId));
    },

    /** The advertiser's creative with the version read (404 unless theirs). */
    async loadCreative(advertiserId: string, campaignId: string, creativeId: string): Promise<Versioned<Creative>> {
      return versioned(await readCreative(campaignId, creativeId, advertiserId));
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

    async createCreative(creative: Creative): Promise<void> {
      await transact(db, [createOp(db, creativeItem(creative, 1), changedMeanwhile(`Creative ${creative.id}`))]);
    },

    async listCreatives(advertiserId: string, campaignId: string): Promise<Creative[]> {
      await read(campaignId, advertiserId);
      const page = await queryPage<Creative>(db, { pk: keys.campaign(campaignId).pk, skPrefix: keys.creativePrefix(campaignId).sk, limit: 100 });
      return page.items.map((i) => strip<Creative>(i));
    },

    /**
     * Saves a creative and its campaign (its approved list), each conditional on the version read;
     * `events` go to the advertiser's webhooks.
     */
    async saveCreative(
      creative: Versioned<Creative>,
      campaign: Versioned<Campaign>,
      next: { creative: Creative; campaign: Campaign },
      events: readonly string[] = [],
    ): Promise<Creative> {
      const version = creative.version + 1;
      const item = { ...creativeItem(next.creative, version), ...(events.length > 0 ? { notify: notify(events, [next.creative.advertiserId], version) } : {}) };
      await save(campaign.value, campaign.version, next.campaign, [replaceOp(db, item, creative.version, changedMeanwhile(`Creative ${next.creative.id}`))]);
      return next.creative;
    },
  };

  /** A creative by its id alone: gsi1 names its campaign, then a consistent read. */
  async function findCreative(creativeId: string): Promise<Stored<Creative>> {
    const found = await queryPage<Creative>(db, { pk: keys.creativeById(creativeId), index: 'gsi1', limit: 1 });
    const campaignId = found.items[0]?.campaignId;
    if (campaignId === undefined) throw new NotFoundError(`Creative ${creativeId} not found`);
    return readCreative(campaignId, creativeId);
  }
}

export type CampaignStore = ReturnType<typeof campaignStore>;
