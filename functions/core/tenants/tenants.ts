import { createHash, randomBytes } from 'node:crypto';

export const roles = ['advertiser', 'publisher', 'admin'] as const;
export type Role = (typeof roles)[number];
/** Roles a person can sign up for; admins are made by the operator's CLI. */
export const signupRoles = ['advertiser', 'publisher'] as const;

/**
 * The operator's tenant, which holds every key `npm run admin -- create-key` makes. Its id is
 * reserved (generated ids are `tnt_` + a ULID, never this) and it has no email, so no signup can
 * claim it, whatever address it uses.
 */
export const PLATFORM_TENANT_ID = 'tnt_platform';

/** Only an operator may revoke an operator's key (a key with the admin role, on whatever tenant). */
export const mayRevokeKey = (callerRole: Role, keyRole: Role): boolean => keyRole !== 'admin' || callerRole === 'admin';

export interface Tenant {
  id: string;
  role: Role;
  name: string;
  email: string;
  createdAt: string;
}

/** Who calls: a program with an API key (`keyId`), or a signed-in person (`person`, from a session cookie). */
export interface Principal {
  tenantId: string;
  role: Role;
  keyId?: string;
  person?: { id: string; role: 'owner' | 'member' };
}

export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  role: Role;
  /** First characters of the key, so a person can tell their keys apart; not enough to use it. */
  prefix: string;
  createdAt: string;
}

const KEY_PREFIX = 'plc_';
const KEY_BYTES = 32;
const SHOWN_PREFIX_LENGTH = 8;

/** A new secret API key (shown once) and the SHA-256 hash that is all the store keeps. */
export function generateApiKey(): { key: string; hash: string; prefix: string } {
  const key = `${KEY_PREFIX}${randomBytes(KEY_BYTES).toString('base64url')}`;
  return { key, hash: hashApiKey(key), prefix: key.slice(0, KEY_PREFIX.length + SHOWN_PREFIX_LENGTH) };
}

/** Keys carry 256 random bits, so a plain SHA-256 (no salt, no stretching) cannot be brute-forced. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
