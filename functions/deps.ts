import { Logger } from '@aws-lambda-powertools/logger';
import { config as loadConfig, type Config } from './config.js';
import { systemClock, type Clock } from './core/shared/clock.js';
import { ulidIds, type IdSource } from './core/shared/ids.js';
import { createDb, type Db } from './store/client.js';
import { secretLoader } from './store/secrets.js';

/** Everything a handler needs from the outside world, passed in so tests can swap the clock and ids. */
export interface Deps {
  config: Config;
  db: Db;
  clock: Clock;
  ids: IdSource;
  logger: Logger;
  /** The HMAC key for tracking links. */
  trackingSecret: () => Promise<string>;
}

export function createDeps(config: Config, overrides: Partial<Omit<Deps, 'config'>> = {}): Deps {
  const clock = overrides.clock ?? systemClock;
  const db =
    overrides.db ??
    createDb(config.TABLE_NAME, {
      region: config.AWS_REGION,
      ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
    });
  return {
    config,
    db,
    clock,
    ids: overrides.ids ?? ulidIds(clock),
    logger: overrides.logger ?? new Logger({ serviceName: 'placard' }),
    trackingSecret: overrides.trackingSecret ?? secretLoader(config),
  };
}

let live: Deps | undefined;
/** The process-wide dependencies of a Lambda or the local runner, made on first use. */
export function liveDeps(): Deps {
  live ??= createDeps(loadConfig());
  return live;
}
