import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AccountInput, AdUnit, AdUnitInput, OfficialAccount } from '../core/marketplace/account.js';
import type { Category, SlotStatus } from '../core/marketplace/catalog.js';
import type { Slot, SlotDraft } from '../core/marketplace/slots.js';
import type { PendingFloor } from '../core/serving/floor.js';
import type { Clock } from '../core/shared/clock.js';
import { ConflictError, NotFoundError } from '../core/shared/errors.js';
import type { IdSource } from '../core/shared/ids.js';
import { notify } from '../core/webhooks/webhooks.js';
import { feedKeys } from './change-feed.js';
import { batchGetItems } from './batch-get.js';
import type { Db } from './client.js';
import { changedMeanwhile, createOp, removeOp, replaceOp, strip, updateOp, type Guard, type Item, type Stored, type TxOp } from './entity.js';
import { getItem, getOwned, queryAll, queryPage } from './items.js';
import { keys } from './keys.js';
import type { Page } from './pagination.js';
import { MAX_TRANSACTION_WRITES, transact } from './transact.js';
import { chunksOf } from '../core/shared/arrays.js';

/**
 * Marketplace listings: official accounts, sponsored-post slots, ad units.
 *
 * Items (keys.ts):
 * - account `ACCOUNT#<id> / ACCOUNT`, gsi1 `TENANT#<owner>#ACCOUNTS` (the owner's list), on the market feed;
 * - slot `SLOT#<id> / SLOT`, gsi1 `ACCOUNT#<acct>#SLOTS` by `<date>#<position>#<id>`, on the market feed.
 *   Slots are read by id far more often (edits, bookings, orders) than by date, so the id is the
 *   key; a small guard item `ACCOUNT#<acct> / SLOTAT#<date>#<position>`, written and deleted in
 *   the same transactions, makes account + date + position unique. A deleted slot stays as a
 *   tombstone (`status: deleted`, out of gsi1) so in-memory snapshots see it go;
 * - ad unit `UNIT#<id> / UNIT`, gsi1 `ACCOUNT#<acct>#UNITS`; carries what the serve path needs
 *   (owner, the account's category, floor, blocked categories, enabled, placement).
 * Every write stamps `updatedAt` and bumps `version`; updates are conditional on the version read.
 */

export type VerificationStatus = 'unverified' | 'verified' | 'rejected';

export interface Verification {
  status: VerificationStatus;
  note?: string;
  reason?: string;
  decidedAt?: string;
}

export interface AccountRecord extends OfficialAccount {
  verification: Verification;
  createdAt: string;
  updatedAt: string;
}

export type SlotRecordStatus = SlotStatus | 'deleted';

export interface SlotRecord extends Omit<Slot, 'status'> {
  status: SlotRecordStatus;
  ownerTenantId: string;
  /** The order holding a booked slot. */
  orderId?: string;
  createdAt: string;
  updatedAt: string;
}

export interface AdUnitRecord extends AdUnit {
  ownerTenantId: string;
  /** A floor waiting for its time (core/serving/floor.ts). */
  pendingFloor?: PendingFloor | null;
  /** The SHA-256 of the unit's server key, and the key's first characters to tell it apart. */
  serverKeyHash?: string;
  serverKeyPrefix?: string;
  /** The account's category, copied so the serve path needs one GetItem per unit. */
  category: Category;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** What a write may change on a unit: the owner's settings, a pending floor, the server key. */
export type AdUnitChanges = Partial<AdUnitInput & Pick<AdUnitRecord, 'pendingFloor' | 'serverKeyHash' | 'serverKeyPrefix'>>;

/** Item builders, shared by the transactional writes below and the seed's batch writes. */
export const marketItems = {
  account: (a: AccountRecord, version: number): Item => ({
    ...keys.account(a.id),
    gsi1pk: keys.tenantAccounts(a.ownerTenantId),
    gsi1sk: a.id,
    ...feedKeys('market', a.updatedAt, a.id),
    // Awaiting verification since its audience was last reported.
    ...(a.verification.status === 'unverified' ? { gsi3pk: keys.queue('accounts'), gsi3sk: keys.queueEntry(a.audience.updatedAt, a.id) } : {}),
    entity: 'account',
    version,
    ...a,
  }),
  slot: (s: SlotRecord, version: number): Item => ({
    ...keys.slot(s.id),
    // A deleted slot leaves the owner's list but stays on the feed.
    ...(s.status === 'deleted' ? {} : { gsi1pk: keys.accountSlots(s.accountId), gsi1sk: `${s.publishDate}#${s.position}#${s.id}` }),
    ...feedKeys('market', s.updatedAt, s.id),
    entity: 'slot',
    version,
    ...s,
  }),
  slotGuard: (s: Pick<SlotRecord, 'id' | 'accountId' | 'publishDate' | 'position'>): Item => ({
    ...keys.slotAt(s.accountId, s.publishDate, s.position),
    entity: 'slotAt',
    version: 1,
    slotId: s.id,
  }),
  adUnit: (u: AdUnitRecord, version: number): Item => ({
    ...keys.adUnit(u.id),
    gsi1pk: keys.accountAdUnits(u.accountId),
    gsi1sk: u.id,
    entity: 'adUnit',
    version,
    ...u,
  }),
};

const slotTaken = (s: Pick<Slot, 'accountId' | 'publishDate' | 'position'>) => () =>
  new ConflictError(`Account ${s.accountId} already has a ${s.position} slot on ${s.publishDate}`, {
    duplicate: { publishDate: s.publishDate, position: s.position },
  });

/** Reads an account (404 when missing). For the orders engineer: the account of a slot. */
export async function getAccount(db: Db, id: string): Promise<AccountRecord> {
  const item = await getItem<AccountRecord>(db, keys.account(id));
  if (!item) throw new NotFoundError(`Account ${id} not found`);
  return strip<AccountRecord>(item);
}

/** Reads an ad unit by its public id (404 when missing). For the serve path: one GetItem. */
export async function getAdUnit(db: Db, unitId: string): Promise<AdUnitRecord> {
  const item = await getItem<AdUnitRecord>(db, keys.adUnit(unitId));
  if (!item) throw new NotFoundError(`Ad unit ${unitId} not found`);
  return strip<AdUnitRecord>(item);
}

/** A page of an account's ad units, whoever owns it (callers check access). */
export async function adUnitsOfAccount(db: Db, accountId: string, page: { limit: number; cursor?: string }): Promise<Page<AdUnitRecord>> {
  const out = await queryPage<AdUnitRecord>(db, { pk: keys.accountAdUnits(accountId), index: 'gsi1', ...page });
  return { ...out, items: out.items.map((i) => strip<AdUnitRecord>(i)) };
}

/** Every ad unit of an account, all pages, with its version. */
function storedUnitsOfAccount(db: Db, accountId: string): Promise<Stored<AdUnitRecord>[]> {
  return queryAll<Stored<AdUnitRecord>>(db, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.accountAdUnits(accountId) },
  });
}

/** Every ad unit of an account, all pages (the account report's earnings, the rejection refund). */
export async function allAdUnitsOfAccount(db: Db, accountId: string): Promise<AdUnitRecord[]> {
  return (await storedUnitsOfAccount(db, accountId)).map((i) => strip<AdUnitRecord>(i));
}

/** A slot with the version read (404 when missing, deleted, or another tenant's when `tenantId` is given). */
export async function readSlot(db: Db, slotId: string, tenantId?: string): Promise<{ slot: SlotRecord; version: number }> {
  const item = await getOwned<SlotRecord & Record<string, unknown>>(db, keys.slot(slotId), 'Slot', slotId, tenantId, 'ownerTenantId', { consistent: true });
  if (item.status === 'deleted') throw new NotFoundError(`Slot ${slotId} not found`);
  return { slot: strip<SlotRecord>(item), version: item.version };
}

/** The slot's status change as a conditional update that also moves it on the market feed. */
function slotStatusOp(
  db: Db,
  slot: Pick<SlotRecord, 'id'>,
  to: { status: 'open' | 'booked'; orderId?: string },
  now: string,
  guard: Guard,
  onFail: () => Error,
): TxOp {
  const change = {
    set: { status: to.status, updatedAt: now, gsi2sk: feedKeys('market', now, slot.id).gsi2sk, orderId: to.orderId },
    add: { version: 1 },
    remove: to.orderId ? [] : ['orderId'],
  };
  return updateOp(db, keys.slot(slot.id), change, guard, onFail);
}

/**
 * For orders (issue 4): the update that books a slot — `open → booked` with the order id,
 * conditional on the slot still being open and at the version read (`onFail` otherwise) — to put
 * in the order's transaction.
 */
export function slotBookingOp(db: Db, slot: SlotRecord, readVersion: number, orderId: string, now: string, onFail: () => Error): TxOp {
  return slotStatusOp(db, slot, { status: 'booked', orderId }, now, { is: { status: 'open', version: readVersion } }, onFail);
}

/** For orders (issue 4): `booked → open` when the order is rejected, expires or is cancelled. */
export function slotReleaseOp(db: Db, slot: Pick<SlotRecord, 'id' | 'orderId'>, now: string): TxOp {
  return slotStatusOp(
    db,
    slot,
    { status: 'open' },
    now,
    { is: { status: 'booked', orderId: slot.orderId ?? '' } },
    () => new ConflictError(`Slot ${slot.id} is not booked by order ${slot.orderId ?? '(none)'}`),
  );
}

/** Slots per transaction (two items each), leaving a write for an idempotency key's completion. */
const SLOTS_PER_TRANSACTION = Math.floor((MAX_TRANSACTION_WRITES - 1) / 2);

export interface SlotListFilter {
  from?: string;
  to?: string;
  status?: SlotStatus;
}

export function marketplaceStore(db: Db, clock: Clock, ids: IdSource) {
  const now = () => clock().toISOString();

  /** A page of a gsi1 query, as the domain sees the items. */
  async function pageOf<T>(query: Omit<Parameters<typeof queryPage>[1], 'index'>): Promise<Page<T>> {
    const out = await queryPage<T>(db, { ...query, index: 'gsi1' });
    return { ...out, items: out.items.map((i) => strip<T>(i)) };
  }

  async function ownedAccount(tenantId: string, id: string): Promise<Stored<AccountRecord>> {
    return getOwned<AccountRecord & Record<string, unknown>>(db, keys.account(id), 'Account', id, tenantId, 'ownerTenantId', { consistent: true });
  }

  async function ownedUnit(tenantId: string, id: string): Promise<Stored<AdUnitRecord>> {
    return getOwned<AdUnitRecord & Record<string, unknown>>(db, keys.adUnit(id), 'Ad unit', id, tenantId, 'ownerTenantId', { consistent: true });
  }

  /** Writes that bring the copy of the account's category on its ad units up to date (those that differ). */
  async function unitCategoryOps(account: AccountRecord): Promise<TxOp[]> {
    const stale = (await storedUnitsOfAccount(db, account.id)).filter((unit) => unit.category !== account.category);
    return stale.map((unit) =>
      replaceOp(
        db,
        marketItems.adUnit({ ...strip<AdUnitRecord>(unit), category: account.category, updatedAt: account.updatedAt }, unit.version + 1),
        unit.version,
        changedMeanwhile(`Ad unit ${unit.id}`),
      ),
    );
  }

  /** Fails with 409 naming the first (account, date, position) that is taken, before anything is written. */
  async function assertSlotsFree(accountId: string, drafts: readonly SlotDraft[]): Promise<void> {
    const found = await batchGetItems(
      db,
      drafts.map((d) => keys.slotAt(accountId, d.publishDate, d.position)),
      { consistent: true },
    );
    const taken = [...found.values()][0];
    if (taken) {
      const [, date, position] = String(taken.sk).split('#');
      throw slotTaken({ accountId, publishDate: date ?? '', position: (position ?? 'headline') as Slot['position'] })();
    }
  }

  async function slotPage(accountId: string, filter: SlotListFilter, page: { limit: number; cursor?: string }): Promise<Page<SlotRecord>> {
    return pageOf<SlotRecord>({
      pk: keys.accountSlots(accountId),
      skBetween: [filter.from ?? '0', `${filter.to ?? '9999-12-31'}~`],
      ...page,
      ...(filter.status
        ? {
            filter: {
              FilterExpression: '#status = :status',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':status': filter.status },
            },
          }
        : {}),
    });
  }

  return {
    async createAccount(ownerTenantId: string, input: AccountInput): Promise<AccountRecord> {
      const at = now();
      const account: AccountRecord = {
        id: ids('acct'),
        ownerTenantId,
        ...input,
        audience: { ...input.audience, source: 'self_reported', updatedAt: at },
        verification: { status: 'unverified' },
        createdAt: at,
        updatedAt: at,
      };
      await transact(db, [createOp(db, marketItems.account(account, 1))]);
      return account;
    },

    /** The operator's queue: accounts awaiting verification, longest waiting first (a Query on gsi3). */
    async verificationQueue(page: { limit: number; cursor?: string }): Promise<Page<AccountRecord>> {
      const out = await queryPage<AccountRecord>(db, { pk: keys.queue('accounts'), index: 'gsi3', ...page });
      return { ...out, items: out.items.map((i) => strip<AccountRecord>(i)) };
    },

    async listAccounts(ownerTenantId: string, page: { limit: number; cursor?: string }): Promise<Page<AccountRecord>> {
      return pageOf<AccountRecord>({ pk: keys.tenantAccounts(ownerTenantId), ...page });
    },

    async getAccount(tenantId: string, id: string): Promise<AccountRecord> {
      return strip<AccountRecord>(await ownedAccount(tenantId, id));
    },

    /** An account with the version read, for a conditional save: the owner's (`tenantId`), or any for the operator (undefined). */
    async loadAccount(tenantId: string | undefined, id: string): Promise<{ account: AccountRecord; version: number }> {
      const stored = await getOwned<AccountRecord & Record<string, unknown>>(db, keys.account(id), 'Account', id, tenantId, 'ownerTenantId', {
        consistent: true,
      });
      return { account: strip<AccountRecord>(stored), version: stored.version };
    },

    /**
     * Saves an account, conditional on the version read, with its category copied onto its ad
     * units whose copy differs; `events` go to the owner's webhooks. The account and its first
     * units go in one transaction, further units in transactions of their own (one holds at most
     * 100 writes, one of them kept for the idempotency key). Should the request die between them,
     * its retry — or any later save of the account — copies the category onto the rest.
     */
    async saveAccount(next: AccountRecord, version: number, events: string[] = []): Promise<void> {
      const item = marketItems.account(next, version + 1);
      const notified = events.length > 0 ? { ...item, notify: notify(events, [next.ownerTenantId], version + 1) } : item;
      const ops = [replaceOp(db, notified, version, changedMeanwhile(`Account ${next.id}`)), ...(await unitCategoryOps(next))];
      for (const chunk of chunksOf(ops, MAX_TRANSACTION_WRITES - 1)) await transact(db, chunk);
    },

    /**
     * Lists slots on an account: checks every (date, position) is free, then writes slot and
     * guard items in transactions of 50 slots. Should a racing writer take a date meanwhile,
     * the slots already written by this call are deleted again, so a call creates all or none.
     */
    async createSlots(tenantId: string, accountId: string, drafts: readonly SlotDraft[]): Promise<SlotRecord[]> {
      await ownedAccount(tenantId, accountId);
      await assertSlotsFree(accountId, drafts);
      const at = now();
      const slots: SlotRecord[] = drafts.map((d) => ({
        id: ids('slot'),
        accountId,
        ownerTenantId: tenantId,
        ...d,
        status: 'open',
        createdAt: at,
        updatedAt: at,
      }));
      const written: SlotRecord[] = [];
      try {
        for (const chunk of chunksOf(slots, SLOTS_PER_TRANSACTION)) {
          await transact(
            db,
            chunk.flatMap((s) => [createOp(db, marketItems.slotGuard(s), slotTaken(s)), createOp(db, marketItems.slot(s, 1))]),
          );
          written.push(...chunk);
        }
      } catch (error) {
        await deleteItems(
          db,
          written.flatMap((s) => [keys.slot(s.id), keys.slotAt(s.accountId, s.publishDate, s.position)]),
        );
        throw error;
      }
      return slots;
    },

    async listSlots(tenantId: string, accountId: string, filter: SlotListFilter, page: { limit: number; cursor?: string }): Promise<Page<SlotRecord>> {
      await ownedAccount(tenantId, accountId);
      return slotPage(accountId, filter, page);
    },

    /** Any account's open slots by date, for advertisers (404 for an unknown account). */
    async openSlots(accountId: string, filter: Omit<SlotListFilter, 'status'>, page: { limit: number; cursor?: string }): Promise<Page<SlotRecord>> {
      await getAccount(db, accountId);
      return slotPage(accountId, { ...filter, status: 'open' }, page);
    },

    /** Saves a slot, conditional on the version read; a new date or position moves its guard item in the same transaction. */
    async saveSlot(current: SlotRecord, next: SlotRecord, version: number): Promise<void> {
      const ops = [replaceOp(db, marketItems.slot(next, version + 1), version, changedMeanwhile(`Slot ${next.id}`))];
      if (next.publishDate !== current.publishDate || next.position !== current.position) {
        ops.push(createOp(db, marketItems.slotGuard(next), slotTaken(next)), guardRemoveOp(db, current));
      }
      await transact(db, ops);
    },

    /** Deletes a slot: a tombstone for the market feed (conditional on the version read), and its date + position are free again. */
    async deleteSlot(current: SlotRecord, version: number): Promise<void> {
      const tombstone: SlotRecord = { ...current, status: 'deleted', updatedAt: now() };
      await transact(db, [
        replaceOp(db, marketItems.slot(tombstone, version + 1), version, changedMeanwhile(`Slot ${current.id}`)),
        guardRemoveOp(db, current),
      ]);
    },

    async createAdUnit(tenantId: string, accountId: string, input: AdUnitInput): Promise<AdUnitRecord> {
      const account = await ownedAccount(tenantId, accountId);
      const at = now();
      const unit: AdUnitRecord = { id: ids('unit'), accountId, ownerTenantId: tenantId, category: account.category, ...input, createdAt: at, updatedAt: at };
      await transact(db, [createOp(db, marketItems.adUnit(unit, 1))]);
      return unit;
    },

    async listAdUnits(tenantId: string, accountId: string, page: { limit: number; cursor?: string }): Promise<Page<AdUnitRecord>> {
      await ownedAccount(tenantId, accountId);
      return adUnitsOfAccount(db, accountId, page);
    },

    async getAdUnit(tenantId: string, unitId: string): Promise<AdUnitRecord> {
      return strip<AdUnitRecord>(await ownedUnit(tenantId, unitId));
    },

    async updateAdUnit(tenantId: string, unitId: string, patch: AdUnitChanges): Promise<AdUnitRecord> {
      const stored = await ownedUnit(tenantId, unitId);
      const next: AdUnitRecord = { ...strip<AdUnitRecord>(stored), ...patch, updatedAt: now() };
      await transact(db, [replaceOp(db, marketItems.adUnit(next, stored.version + 1), stored.version, changedMeanwhile(`Ad unit ${unitId}`))]);
      return next;
    },
  };
}

export type MarketplaceStore = ReturnType<typeof marketplaceStore>;

/** Frees a slot's date + position: its guard item, while it still guards this slot. */
const guardRemoveOp = (db: Db, slot: SlotRecord): TxOp =>
  removeOp(db, keys.slotAt(slot.accountId, slot.publishDate, slot.position), { is: { slotId: slot.id } });

type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Record<string, unknown> } };

/**
 * Writes items with BatchWriteItem, 25 per call and `parallel` calls at a time, retrying what
 * DynamoDB leaves unprocessed. Not atomic: for bulk loads (the seed) and for undoing a failed call.
 */
export async function batchWrite(db: Db, requests: readonly WriteRequest[], parallel = 1): Promise<void> {
  const chunks = chunksOf(requests, 25);
  const worker = async (): Promise<void> => {
    for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
      let pending: WriteRequest[] | undefined = chunk;
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
        const out = await db.doc.send(new BatchWriteCommand({ RequestItems: { [db.tableName]: pending as never } }));
        pending = out.UnprocessedItems?.[db.tableName] as WriteRequest[] | undefined;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
}

async function deleteItems(db: Db, itemKeys: ReadonlyArray<{ pk: string; sk: string }>): Promise<void> {
  await batchWrite(
    db,
    itemKeys.map((Key) => ({ DeleteRequest: { Key } })),
  );
}

/** True when the market feed holds nothing: one Query with Limit 1, no Scan. */
export async function marketIsEmpty(db: Db): Promise<boolean> {
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': feedKeys('market', '', '').gsi2pk },
      Limit: 1,
    }),
  );
  return (out.Items ?? []).length === 0;
}
