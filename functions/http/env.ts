import type { Logger } from '@aws-lambda-powertools/logger';
import type { Principal } from '../core/tenants/tenants.js';
import type { Deps } from '../deps.js';

export interface AppEnv {
  Variables: {
    deps: Deps;
    log: Logger;
    requestId: string;
    principal?: Principal;
  };
}
