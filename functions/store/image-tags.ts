import type { Db } from './client.js';
import { putOp, strip } from './entity.js';
import { getItem } from './items.js';
import { keys } from './keys.js';
import { tryWriteOne } from './transact.js';
import { MS_PER_SECOND } from '../core/shared/time.js';

/**
 * The image tag's decisions: the open of `/e/i/{unit}/{key}` makes one, and its click
 * `/e/c/{unit}/{key}` finds it again by unit and key. The key is the sender's per-recipient
 * merge value (often an address), so only its hash is stored. An item lives as long as its
 * tracking tokens (`expiresAt`, the table's TTL); one past it counts as absent, since TTL
 * deletion lags.
 */

export interface ImageTagDecision {
  impressionUrl: string;
  clickUrl: string;
  imageUrl: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export async function getImageTagDecision(db: Db, adUnitId: string, keyHash: string, now: Date): Promise<ImageTagDecision | undefined> {
  const item = await getItem<ImageTagDecision>(db, keys.imageTagDecision(adUnitId, keyHash), { consistent: true });
  return item === undefined || item.expiresAt * MS_PER_SECOND <= now.getTime() ? undefined : { ...strip<ImageTagDecision>(item), expiresAt: item.expiresAt };
}

/** Stores a decision unless a live one is there already; returns the one that stands. */
export async function putImageTagDecision(db: Db, adUnitId: string, keyHash: string, decision: ImageTagDecision, now: Date): Promise<ImageTagDecision> {
  const item = { ...keys.imageTagDecision(adUnitId, keyHash), entity: 'imageTagDecision', version: 1, ...decision };
  if ((await tryWriteOne(db, putOp(db, item, { expired: Math.floor(now.getTime() / MS_PER_SECOND) }))).ok) return decision;
  // A concurrent open (or click) got there first: its decision is the recipient's.
  return (await getImageTagDecision(db, adUnitId, keyHash, now))!;
}
