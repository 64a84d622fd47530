import type { Principal } from '../core/tenants/tenants.js';
import type { Deps } from '../deps.js';

/** A request's logger: the process logger's levels, each line carrying the request id. */
export type RequestLog = Record<'debug' | 'info' | 'warn' | 'error', (message: string, attributes?: Record<string, unknown>) => void>;

export interface AppEnv {
  Variables: {
    deps: Deps;
    log: RequestLog;
    requestId: string;
    principal?: Principal;
    /** A session cookie came that the API no longer accepts. */
    sessionEnded?: boolean;
    /** Set by a route whose response carries a secret: what it created (http/idempotency.ts). */
    secretFor?: string;
  };
}
