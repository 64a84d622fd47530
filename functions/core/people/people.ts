import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Role } from '../tenants/tenants.js';

/**
 * People sign in to the console with email and password; programs keep API keys. A tenant has
 * people: its owner (who signed up) and members, who can do everything but manage people and
 * API keys. Sessions, invites and password resets are bearer secrets: 256 random bits handed out
 * once, kept only as a SHA-256 hash.
 */

export const PERSON_ROLES = ['owner', 'member'] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

export interface Person {
  id: string;
  tenantId: string;
  email: string;
  name: string;
  role: PersonRole;
  createdAt: string;
}

/** A signed-in person, as the API's auth sees them. */
export interface SessionPrincipal {
  tenantId: string;
  role: Role;
  person: { id: string; role: PersonRole };
}

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 200;

/** A new secret (shown once) and the hash that is all the store keeps. */
export function newSecret(prefix: string): { token: string; hash: string } {
  const token = `${prefix}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashSecret(token) };
}

/** Secrets carry 256 random bits, so a plain SHA-256 (no salt, no stretching) cannot be brute-forced. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * scrypt (RFC 7914) with N = 2^cost, r = 8, p = 1, a 16-byte random salt and a 32-byte key. The
 * parameters are stored with each hash (`scrypt$<log2 N>$<r>$<p>$<salt>$<key>`), so raising
 * the cost later still verifies the hashes made before.
 */
const SCRYPT_R = 8;
const SCRYPT_P = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

function derive(password: string, salt: Buffer, cost: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** cost;
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r };
  return new Promise((resolve, reject) =>
    scryptCallback(password.normalize('NFKC'), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export async function hashPassword(password: string, cost: number): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, cost, SCRYPT_R, SCRYPT_P);
  return ['scrypt', cost, SCRYPT_R, SCRYPT_P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, cost, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), Number(cost), Number(r), Number(p));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * The fixed window a sign-in attempt counts in, and when it ends: attempts are counted per
 * account and per address in windows of `windowSeconds`.
 */
export function attemptWindow(now: Date, windowSeconds: number): { start: number; end: number } {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const start = nowSeconds - (nowSeconds % windowSeconds);
  return { start, end: start + windowSeconds };
}

/** A person may manage people and API keys unless they are a member; API keys act for the tenant as its owner would. */
export function mayManage(person: { role: PersonRole } | undefined): boolean {
  return person?.role !== 'member';
}
