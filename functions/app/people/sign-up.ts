import type { SignUp } from '../../core/people/inputs.js';
import { hashPassword, type Person } from '../../core/people/people.js';
import type { Tenant } from '../../core/tenants/tenants.js';
import type { Deps } from '../../deps.js';
import { peopleStore, personView, type PersonRecord } from '../../store/people.js';
import { tenantStore, type NewKey } from '../../store/tenants.js';
import { startSession, type StartedSession } from './sessions.js';

export interface SignedUp {
  tenant: Tenant;
  key: NewKey;
  /** With a password: the owner person and their first session. */
  owner?: { person: Person; session: StartedSession };
}

/**
 * Signup, as POST /v1/signup always did: a tenant and its first API key. With a password (the
 * console's signup) the same transaction creates the owner person, who is then signed in.
 */
export async function signUp(deps: Deps, input: SignUp): Promise<SignedUp> {
  const { password, ...tenantInput } = input;
  if (password === undefined) return tenantStore(deps.db, deps.clock, deps.ids).create(tenantInput);
  const passwordHash = await hashPassword(password, deps.config.SCRYPT_COST);
  let owner: PersonRecord | undefined;
  const { tenant, key } = await tenantStore(deps.db, deps.clock, deps.ids).create(tenantInput, (t) => {
    owner = {
      id: deps.ids('psn'),
      tenantId: t.id,
      email: t.email,
      name: t.name,
      role: 'owner',
      createdAt: t.createdAt,
      passwordHash,
      sessionsValidFrom: t.createdAt,
    };
    return peopleStore(deps.db).personOps(owner);
  });
  if (!owner) throw new Error('signup made no owner');
  return { tenant, key, owner: { person: personView(owner), session: await startSession(deps, owner, tenant.role) } };
}
