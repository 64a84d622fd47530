import { splitFee } from '../shared/money.js';
import { MS_PER_SECOND } from '../shared/time.js';

/**
 * What happened to one tracking event, and the pure arithmetic of programmatic billing: the
 * interval an event is posted in, its split between owner and platform, and a lease's size
 * (DESIGN §8: journal, leases, aggregated postings).
 */

/**
 * `budget`: the lifetime budget is spent (the campaign stops); `daily_budget`: only today's is.
 * `over_limit`: the source billed its share of this campaign today or of this unit this hour;
 * `cap`: the viewer reached the campaign's frequency cap.
 * Checked before billing (event-validity.ts, and the unit's origins at decision time): `bot`,
 * `fingerprint_mismatch` (not from its decision's source), `too_fast` (an impression too soon
 * after its decision), `wrong_origin` (a decision asked from a page the unit may not serve).
 */
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
  | 'over_limit'
  | 'cap'
  | 'bot'
  | 'fingerprint_mismatch'
  | 'too_fast'
  | 'wrong_origin';

/** Outcomes counted as invalid traffic, each under its own reason; `budget` is a campaign running dry, not the viewer's fault. */
export const INVALID: ReadonlySet<Outcome> = new Set<Outcome>([
  'replay',
  'no_impression',
  'expired',
  'forged',
  'malformed',
  'over_limit',
  'cap',
  'bot',
  'fingerprint_mismatch',
  'too_fast',
  'wrong_origin',
]);

/** The start (epoch ms) of the posting interval an instant falls in. */
export function intervalStart(at: number, intervalSeconds: number): number {
  const ms = intervalSeconds * MS_PER_SECOND;
  return Math.floor(at / ms) * ms;
}

/** One billed event's money, split once at billing so that refunds of single events are exact. */
export interface Charge {
  chargeMicros: number;
  ownerMicros: number;
  feeMicros: number;
}

/** What an event that bills nothing carries. */
export const NO_CHARGE: Charge = { chargeMicros: 0, ownerMicros: 0, feeMicros: 0 };

export function chargeOf(chargeMicros: number, feeBps: number): Charge {
  return { chargeMicros, ...splitFee(chargeMicros, feeBps) };
}

/** Money and events summed: one unit's part of an aggregated posting (a lease × publisher × interval), or a whole one. */
export interface Batch extends Charge {
  events: number;
}

export const emptyBatch = (): Batch => ({ chargeMicros: 0, ownerMicros: 0, feeMicros: 0, events: 0 });

export function addTo(batch: Batch, c: Charge, events = 1): void {
  batch.chargeMicros += c.chargeMicros;
  batch.ownerMicros += c.ownerMicros;
  batch.feeMicros += c.feeMicros;
  batch.events += events;
}

export interface LeaseSizing {
  /** Micros the campaign billed on this instance per second, lately (0 when unknown). */
  ratePerSecond: number;
  /** The charge that needs the lease now. */
  chargeMicros: number;
  leaseSeconds: number;
  minEvents: number;
  maxMicros: number;
}

/**
 * A lease's size: what the instance is likely to bill in one lease period at its recent rate,
 * at least `minEvents` charges (so a new campaign does not claim per event), at most `maxMicros`
 * (so one instance does not hold a budget others could bill), and never less than the charge.
 */
export function sliceMicros(s: LeaseSizing): number {
  const wanted = Math.max(Math.ceil(s.ratePerSecond * s.leaseSeconds), s.chargeMicros * s.minEvents);
  return Math.max(s.chargeMicros, Math.min(wanted, s.maxMicros));
}

/** A non-cryptographic hash (FNV-1a) that spreads keys over shards deterministically. */
export function shardOf(key: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % shards;
}
