import type { Person, PersonRole } from '../core/people/people.js';
import { ConflictError, NotFoundError } from '../core/shared/errors.js';
import type { Role } from '../core/tenants/tenants.js';
import { batchGetItems, itemId } from './batch-get.js';
import type { Db } from './client.js';
import { createOp, removeOp, strip, updateOp, type Stored, type TxOp } from './entity.js';
import { getItem, queryPage } from './items.js';
import { keys } from './keys.js';
import { transact, writeOne } from './transact.js';
import { MS_PER_SECOND } from '../core/shared/time.js';

/**
 * People, sessions, invites, password resets and sign-in attempt counters (issue 12).
 *
 * Items (keys.ts):
 * - person `PERSON#<id> / PERSON`, gsi1 `TENANT#<tenant>#PEOPLE`, with the scrypt hash of the
 *   password and `sessionsValidFrom`: sessions started before it (a password reset) are refused;
 * - login `LOGIN#<email> / LOGIN` → the person: emails are unique across people;
 * - session `PERSON#<person> / SESSION#<sha256 of the secret>`, expiring by TTL: read together
 *   with its person in one BatchGetItem, so a removed person's sessions end with them;
 * - invite `INVITE#<hash> / INVITE` and reset `RESET#<hash> / RESET`, used once, expiring by TTL;
 * - attempts `SIGNIN#<account|address>#<hash> / <window start>`, a counter expiring with its window.
 * `expiresAt` (epoch seconds) is the table's TTL attribute; TTL deletes late, so reads check it too.
 */

export interface PersonRecord extends Person {
  passwordHash: string;
  sessionsValidFrom: string;
}

export interface SessionRecord {
  personId: string;
  tenantId: string;
  tenantRole: Role;
  personRole: PersonRole;
  createdAt: string;
  expiresAt: number;
}

export interface InviteRecord {
  id: string;
  tenantId: string;
  email: string;
  role: PersonRole;
  invitedBy: string;
  createdAt: string;
  expiresAt: number;
}

export interface ResetRecord {
  personId: string;
  tenantId: string;
  createdAt: string;
  expiresAt: number;
}

const personOf = (item: Stored<PersonRecord> | Record<string, unknown>): PersonRecord => strip<PersonRecord>(item);
/** strip() drops the TTL attribute, which these records need: TTL deletes late, so readers check it. */
const withExpiry = <T extends { expiresAt: number }>(item: Stored<T> | Record<string, unknown>): T => ({
  ...strip<T>(item),
  expiresAt: Number(item.expiresAt),
});
export const personView = ({ id, tenantId, email, name, role, createdAt }: Person): Person => ({ id, tenantId, email, name, role, createdAt });

export function peopleStore(db: Db) {
  const emailTaken = (email: string) => () => new ConflictError(`Someone already signs in with ${email}`);

  return {
    /** The writes that create a person and their login: for a transaction of its own or a signup's. */
    personOps(person: PersonRecord): TxOp[] {
      return [
        createOp(db, { ...keys.login(person.email), entity: 'login', version: 1, personId: person.id, tenantId: person.tenantId }, emailTaken(person.email)),
        createOp(db, { ...keys.person(person.id), gsi1pk: keys.tenantPeople(person.tenantId), gsi1sk: person.id, entity: 'person', version: 1, ...person }),
      ];
    },

    async personByEmail(email: string): Promise<PersonRecord | undefined> {
      const login = await getItem<{ personId: string }>(db, keys.login(email), { consistent: true });
      if (!login) return undefined;
      const person = await getItem<PersonRecord>(db, keys.person(login.personId), { consistent: true });
      return person ? personOf(person) : undefined;
    },

    /** A person of the tenant (any tenant's when tenantId is undefined: the operator); another tenant's answers 404. */
    async person(tenantId: string | undefined, personId: string): Promise<PersonRecord> {
      const item = await getItem<PersonRecord>(db, keys.person(personId), { consistent: true });
      if (!item || (tenantId !== undefined && item.tenantId !== tenantId)) throw new NotFoundError(`Person ${personId} not found`);
      return personOf(item);
    },

    async list(tenantId: string): Promise<Person[]> {
      const people: Person[] = [];
      let cursor: string | undefined;
      do {
        const page = await queryPage<PersonRecord>(db, { pk: keys.tenantPeople(tenantId), index: 'gsi1', limit: 100, cursor });
        people.push(...page.items.map((i) => personView(personOf(i))));
        cursor = page.nextCursor;
      } while (cursor);
      return people;
    },

    /** Removes a person and their login; their sessions die with them (a session is only valid beside its person). */
    async remove(tenantId: string, person: Person): Promise<void> {
      await transact(db, [
        removeOp(db, keys.person(person.id), { is: { tenantId } }, () => new NotFoundError(`Person ${person.id} not found`)),
        removeOp(db, keys.login(person.email)),
      ]);
    },

    async createSession(hash: string, session: SessionRecord): Promise<void> {
      await writeOne(db, createOp(db, { ...keys.session(session.personId, hash), entity: 'session', version: 1, ...session }));
    },

    /** The session and its person, in one consistent BatchGetItem; undefined when either is gone. */
    async session(personId: string, hash: string): Promise<{ session: SessionRecord; person: PersonRecord } | undefined> {
      const sessionKey = keys.session(personId, hash);
      const personKey = keys.person(personId);
      const found = await batchGetItems(db, [sessionKey, personKey], { consistent: true });
      const session = found.get(itemId(sessionKey));
      const person = found.get(itemId(personKey));
      if (!session || !person) return undefined;
      return { session: withExpiry<SessionRecord>(session), person: personOf(person) };
    },

    async endSession(personId: string, hash: string): Promise<void> {
      await writeOne(db, removeOp(db, keys.session(personId, hash)));
    },

    async createInvite(hash: string, invite: InviteRecord): Promise<void> {
      await writeOne(db, createOp(db, { ...keys.invite(hash), entity: 'invite', version: 1, ...invite }));
    },

    async invite(hash: string): Promise<InviteRecord | undefined> {
      const item = await getItem<InviteRecord>(db, keys.invite(hash), { consistent: true });
      return item ? withExpiry<InviteRecord>(item) : undefined;
    },

    /** Uses the invite (once, while unexpired) and creates the person in one transaction. */
    async acceptInvite(hash: string, person: PersonRecord, nowSeconds: number): Promise<void> {
      await transact(db, [
        removeOp(db, keys.invite(hash), { live: nowSeconds }, () => new NotFoundError('This invite is unknown, used or expired')),
        ...this.personOps(person),
      ]);
    },

    async createReset(hash: string, reset: ResetRecord): Promise<void> {
      await writeOne(db, createOp(db, { ...keys.passwordReset(hash), entity: 'passwordReset', version: 1, ...reset }));
    },

    async reset(hash: string): Promise<ResetRecord | undefined> {
      const item = await getItem<ResetRecord>(db, keys.passwordReset(hash), { consistent: true });
      return item ? withExpiry<ResetRecord>(item) : undefined;
    },

    /** Uses the reset (once, while unexpired) and sets the new password, ending every earlier session. */
    async completeReset(hash: string, reset: ResetRecord, passwordHash: string, now: Date): Promise<void> {
      const unknown = () => new NotFoundError('This password reset is unknown, used or expired');
      await transact(db, [
        removeOp(db, keys.passwordReset(hash), { live: Math.floor(now.getTime() / MS_PER_SECOND) }, unknown),
        updateOp(
          db,
          keys.person(reset.personId),
          { set: { passwordHash, sessionsValidFrom: now.toISOString() }, add: { version: 1 } },
          { exists: true },
          unknown,
        ),
      ]);
    },

    /** Counts an attempt in its window and returns how many the window holds now. */
    async countAttempt(scope: 'account' | 'address', hash: string, window: { start: number; end: number }): Promise<number> {
      const counter = updateOp(db, keys.signInAttempts(scope, hash, window.start), {
        add: { attempts: 1 },
        set: { entity: 'signInAttempts', expiresAt: window.end },
      });
      return Number((await writeOne(db, counter))?.attempts ?? 0);
    },
  };
}

export type PeopleStore = ReturnType<typeof peopleStore>;
