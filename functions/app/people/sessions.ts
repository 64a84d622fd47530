import { hashSecret, newSecret, type Person, type SessionPrincipal } from '../../core/people/people.js';
import type { Role } from '../../core/tenants/tenants.js';
import type { Deps } from '../../deps.js';
import { peopleStore } from '../../store/people.js';

const SESSION_PREFIX = 'pls_';

export interface StartedSession {
  /** The cookie value: `<person id>.<secret>`. Shown to the browser once, stored only as a hash. */
  token: string;
  maxAgeSeconds: number;
}

/** Starts a session for a person: a random secret, stored hashed beside the person with a TTL. */
export async function startSession(deps: Pick<Deps, 'db' | 'clock' | 'config'>, person: Person, tenantRole: Role): Promise<StartedSession> {
  const { token, hash } = newSecret(SESSION_PREFIX);
  const now = deps.clock();
  const maxAgeSeconds = Math.round(deps.config.SESSION_TTL_HOURS * 3600);
  await peopleStore(deps.db).createSession(hash, {
    personId: person.id,
    tenantId: person.tenantId,
    tenantRole,
    personRole: person.role,
    createdAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + maxAgeSeconds,
  });
  return { token: `${person.id}.${token}`, maxAgeSeconds };
}

function parse(token: string): { personId: string; hash: string } | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0 || !token.startsWith(SESSION_PREFIX, dot + 1)) return undefined;
  return { personId: token.slice(0, dot), hash: hashSecret(token.slice(dot + 1)) };
}

/**
 * The principal a session cookie stands for, or undefined when the session is unknown, ended,
 * expired (TTL deletes late), started before a password reset, or its person was removed.
 */
export async function sessionPrincipal(deps: Pick<Deps, 'db' | 'clock'>, token: string): Promise<SessionPrincipal | undefined> {
  const parsed = parse(token);
  if (!parsed) return undefined;
  const found = await peopleStore(deps.db).session(parsed.personId, parsed.hash);
  if (!found) return undefined;
  const { session, person } = found;
  const now = deps.clock();
  if (session.expiresAt <= now.getTime() / 1000 || session.createdAt < person.sessionsValidFrom) return undefined;
  return { tenantId: session.tenantId, role: session.tenantRole, person: { id: person.id, role: person.role } };
}

/** Sign-out: the session's item is deleted, so the cookie is refused from the next request on. */
export async function endSession(deps: Pick<Deps, 'db'>, token: string): Promise<void> {
  const parsed = parse(token);
  if (parsed) await peopleStore(deps.db).endSession(parsed.personId, parsed.hash);
}
