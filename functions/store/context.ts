import type { Config } from '../config.js';
import type { Clock } from '../core/shared/clock.js';
import type { IdSource } from '../core/shared/ids.js';
import type { Db } from './client.js';

/**
 * What the store needs from the outside world: the table, the clock and ids it stamps writes
 * with, the tunables of its limits, and the server key webhook secrets derive from. A `Deps`
 * (deps.ts) is one; each store function asks for the few fields it uses.
 */
export interface StoreContext {
  config: Config;
  db: Db;
  clock: Clock;
  ids: IdSource;
  /** The HMAC key for tracking links and webhook secrets. */
  trackingSecret: () => Promise<string>;
}
