import type { PasswordResetCompletion } from '../../core/people/inputs.js';
import { hashPassword, hashSecret, newSecret } from '../../core/people/people.js';
import { NotFoundError } from '../../core/shared/errors.js';
import type { Deps } from '../../deps.js';
import { peopleStore } from '../../store/people.js';

const RESET_PREFIX = 'plr_';

/**
 * A password-reset link for a person, made by their tenant's owner (tenantId given) or by an
 * operator (any person). No mail is sent: whoever made it hands the link over.
 */
export async function createPasswordReset(
  deps: Deps,
  tenantId: string | undefined,
  personId: string,
): Promise<{ personId: string; expiresAt: string; token: string }> {
  const store = peopleStore(deps.db);
  const person = await store.person(tenantId, personId);
  const { token, hash } = newSecret(RESET_PREFIX);
  const now = deps.clock();
  const expires = Math.floor(now.getTime() / 1000) + Math.round(deps.config.PASSWORD_RESET_TTL_HOURS * 3600);
  await store.createReset(hash, { personId, tenantId: person.tenantId, createdAt: now.toISOString(), expiresAt: expires });
  return { personId, expiresAt: new Date(expires * 1000).toISOString(), token };
}

/** Uses a reset link: a new password, and every session the person had ends. */
export async function completePasswordReset(deps: Deps, input: PasswordResetCompletion): Promise<void> {
  const store = peopleStore(deps.db);
  const hash = hashSecret(input.token);
  const reset = await store.reset(hash);
  const now = deps.clock();
  if (!reset || reset.expiresAt <= now.getTime() / 1000) throw new NotFoundError('This password reset is unknown, used or expired');
  await store.completeReset(hash, reset, await hashPassword(input.password, deps.config.SCRYPT_COST), now);
}
