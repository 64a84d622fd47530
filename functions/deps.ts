import { Logger } from '@aws-lambda-powertools/logger';
import { config as loadConfig, type Config } from './config.js';
import { systemClock } from './core/shared/clock.js';
import { ulidIds } from './core/shared/ids.js';
import { createDb } from './store/client.js';
import type { StoreContext } from './store/context.js';
import { secretLoader } from './store/secrets.js';

/** Everything a handler needs from the outside world, passed in so tests can swap the clock and ids. */
export interface Deps extends StoreContext {
  logger: Logger;
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
