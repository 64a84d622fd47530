import type { InviteAcceptance } from '../../core/people/inputs.js';
import { hashPassword, hashSecret, newSecret, type Person } from '../../core/people/people.js';
import { NotFoundError } from '../../core/shared/errors.js';
import type { Tenant } from '../../core/tenants/tenants.js';
import type { Deps } from '../../deps.js';
import { peopleStore, personView, type PersonRecord } from '../../store/people.js';
import { tenantStore } from '../../store/tenants.js';
import { startSession, type StartedSession } from './sessions.js';

const INVITE_PREFIX = 'pli_';

export interface NewInvite {
  id: string;
  email: string;
  role: 'member';
  expiresAt: string;
  /** The secret of the invite link; shown once, stored only as a hash. */
  token: string;
}

/** An owner invites someone as a member: a link (shown to the owner, no mail is sent) that expires. */
export async function createInvite(deps: Deps, tenantId: string, invitedBy: string, email: string): Promise<NewInvite> {
  const { token, hash } = newSecret(INVITE_PREFIX);
  const now = deps.clock();
  const expires = Math.floor(now.getTime() / 1000) + Math.round(deps.config.INVITE_TTL_HOURS * 3600);
  const id = deps.ids('inv');
  await peopleStore(deps.db).createInvite(hash, { id, tenantId, email, role: 'member', invitedBy, createdAt: now.toISOString(), expiresAt: expires });
  return { id, email, role: 'member', expiresAt: new Date(expires * 1000).toISOString(), token };
}

/**
 * The invited person accepts: the invite is used up (once, unexpired) and the person created
 * in one transaction, then signed in.
 */
export async function acceptInvite(deps: Deps, input: InviteAcceptance): Promise<{ person: Person; tenant: Tenant; session: StartedSession }> {
  const store = peopleStore(deps.db);
  const hash = hashSecret(input.token);
  const invite = await store.invite(hash);
  const now = deps.clock();
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (!invite || invite.expiresAt <= nowSeconds) throw new NotFoundError('This invite is unknown, used or expired');
  const at = now.toISOString();
  const person: PersonRecord = {
    id: deps.ids('psn'),
    tenantId: invite.tenantId,
    email: invite.email,
    name: input.name,
    role: invite.role,
    createdAt: at,
    passwordHash: await hashPassword(input.password, deps.config.SCRYPT_COST),
    sessionsValidFrom: at,
  };
  await store.acceptInvite(hash, person, nowSeconds);
  const tenant = await tenantStore(deps.db, deps.clock, deps.ids).get(person.tenantId);
  return { person: personView(person), tenant, session: await startSession(deps, person, tenant.role) };
}
