import { createHmac } from 'node:crypto';
import { attemptWindow, hashPassword, hashSecret, verifyPassword, type Person } from '../../core/people/people.js';
import { RateLimitedError, UnauthorizedError } from '../../core/shared/errors.js';
import type { Tenant } from '../../core/tenants/tenants.js';
import type { Deps } from '../../deps.js';
import { peopleStore, personView } from '../../store/people.js';
import { tenantStore } from '../../store/tenants.js';
import { startSession, type StartedSession } from './sessions.js';

/** Verified against when the email is unknown, so both answers take the same time. */
let decoyHash: Promise<string> | undefined;

/**
 * Signs a person in.
 * 1. Counts the attempt against the account (a hash of the email) and the address (an HMAC of
 *    it, keyed with the deployment's secret, so the table holds no IP address); over either
 *    limit in the window → 429, before any password is checked.
 * 2. Verifies the password (scrypt); an unknown email and a wrong password answer alike.
 * 3. Starts a session.
 */
export async function signIn(
  deps: Deps,
  input: { email: string; password: string; address: string },
): Promise<{ person: Person; tenant: Tenant; session: StartedSession }> {
  const { config } = deps;
  const store = peopleStore(deps.db);
  const window = attemptWindow(deps.clock(), config.SIGNIN_WINDOW_SECONDS);
  const addressHash = createHmac('sha256', await deps.trackingSecret())
    .update(`sign-in:${input.address}`)
    .digest('hex');
  const [perAccount, perAddress] = await Promise.all([
    store.countAttempt('account', hashSecret(input.email), window),
    store.countAttempt('address', addressHash, window),
  ]);
  if (perAccount > config.SIGNIN_MAX_PER_ACCOUNT || perAddress > config.SIGNIN_MAX_PER_ADDRESS) {
    const retryAfter = window.end - Math.floor(deps.clock().getTime() / 1000);
    throw new RateLimitedError(`Too many sign-in attempts; try again in ${retryAfter} seconds`, retryAfter);
  }
  const person = await store.personByEmail(input.email);
  decoyHash ??= hashPassword('decoy password', config.SCRYPT_COST);
  const ok = await verifyPassword(input.password, person?.passwordHash ?? (await decoyHash));
  if (!person || !ok) throw new UnauthorizedError('Wrong email or password');
  const tenant = await tenantStore(deps.db, deps.clock, deps.ids).get(person.tenantId);
  return { person: personView(person), tenant, session: await startSession(deps, person, tenant.role) };
}
