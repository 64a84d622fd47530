import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../core/shared/errors.js';
import { generateApiKey, PLATFORM_TENANT_ID, type ApiKeyRecord, type Principal, type Role, type Tenant } from '../core/tenants/tenants.js';
import type { Clock } from '../core/shared/clock.js';
import type { IdSource } from '../core/shared/ids.js';
import type { Db } from './client.js';
import { keys } from './keys.js';
import { createOp, removeOp, type Item, type TxOp } from './entity.js';
import { transact, tryWriteOne } from './transact.js';

export interface NewKey {
  record: ApiKeyRecord;
  /** The secret; returned once, never stored. */
  key: string;
}

/** The two items an API key is: the hash lookup that authenticates, and the tenant's listing entry. */
function apiKeyOps(db: Db, tenantId: string, role: Role, keyId: string, now: string): { ops: TxOp[]; key: NewKey } {
  const { key, hash, prefix } = generateApiKey();
  const record: ApiKeyRecord = { id: keyId, tenantId, role, prefix, createdAt: now };
  return {
    key: { record, key },
    ops: [
      createOp(db, { ...keys.apiKeyByHash(hash), entity: 'apiKey', version: 1, tenantId, role, keyId }),
      createOp(db, { ...keys.tenantApiKey(tenantId, keyId), entity: 'apiKeyRecord', version: 1, ...record, hash }),
    ],
  };
}

const tenantItem = (tenant: Tenant): Item => ({ ...keys.tenant(tenant.id), entity: 'tenant', version: 1, ...tenant });

export function tenantStore(db: Db, clock: Clock, ids: IdSource) {
  async function find(tenantId: string): Promise<Tenant | undefined> {
    const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.tenant(tenantId) }));
    if (!out.Item) return undefined;
    const { id, role, name, email, createdAt } = out.Item as Tenant;
    return { id, role, name, email, createdAt };
  }

  return {
    /**
     * Creates a tenant with its first key. The email item makes emails unique across tenants.
     * `withOps` adds writes that must happen with it or not at all (the owner person of a console signup).
     */
    async create(input: { role: Role; name: string; email: string }, withOps: (tenant: Tenant) => TxOp[] = () => []): Promise<{ tenant: Tenant; key: NewKey }> {
      const now = clock().toISOString();
      const tenant: Tenant = { id: ids('tnt'), role: input.role, name: input.name, email: input.email.toLowerCase(), createdAt: now };
      const first = apiKeyOps(db, tenant.id, tenant.role, ids('key'), now);
      await transact(db, [
        createOp(
          db,
          { ...keys.email(tenant.email), entity: 'email', version: 1, tenantId: tenant.id },
          () => new ConflictError(`A tenant with email ${tenant.email} already exists`),
        ),
        createOp(db, tenantItem(tenant)),
        ...first.ops,
        ...withOps(tenant),
      ]);
      return { tenant, key: first.key };
    },

    /** Creates the operator's tenant (PLATFORM_TENANT_ID, no email item) unless it exists. */
    async ensurePlatformTenant(): Promise<void> {
      const tenant: Tenant = { id: PLATFORM_TENANT_ID, role: 'admin', name: 'Placard operators', email: '', createdAt: clock().toISOString() };
      // Already there: nothing to do.
      await tryWriteOne(db, createOp(db, tenantItem(tenant)));
    },

    async get(tenantId: string): Promise<Tenant> {
      const tenant = await find(tenantId);
      if (!tenant) throw new NotFoundError(`Tenant ${tenantId} not found`);
      return tenant;
    },

    /** The tenant, or undefined when there is none by that id. */
    find,

    async findIdByEmail(email: string): Promise<string | undefined> {
      const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.email(email) }));
      return out.Item?.tenantId as string | undefined;
    },

    /** Looks a key up by its hash: one GetItem, strongly consistent so a revoked key is refused at once. */
    async principalByHash(hash: string): Promise<Principal | undefined> {
      const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.apiKeyByHash(hash), ConsistentRead: true }));
      if (!out.Item) return undefined;
      return { tenantId: out.Item.tenantId as string, role: out.Item.role as Role, keyId: out.Item.keyId as string };
    },

    async createKey(tenantId: string, role: Role): Promise<NewKey> {
      const made = apiKeyOps(db, tenantId, role, ids('key'), clock().toISOString());
      await transact(db, made.ops);
      return made.key;
    },

    async listKeys(tenantId: string): Promise<ApiKeyRecord[]> {
      const prefix = keys.tenantApiKeyPrefix(tenantId);
      const out = await db.doc.send(
        new QueryCommand({
          TableName: db.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
          ExpressionAttributeValues: { ':pk': prefix.pk, ':sk': prefix.sk },
        }),
      );
      return (out.Items ?? []).map(({ id, tenantId: t, role, prefix: p, createdAt }) => ({ id, tenantId: t, role, prefix: p, createdAt }) as ApiKeyRecord);
    },

    /** One of the tenant's keys, with its hash (404 when it has none by that id). */
    async getKey(tenantId: string, keyId: string): Promise<ApiKeyRecord & { hash: string }> {
      const out = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: keys.tenantApiKey(tenantId, keyId) }));
      if (!out.Item) throw new NotFoundError(`API key ${keyId} not found`);
      const { id, role, prefix, createdAt, hash } = out.Item as ApiKeyRecord & { hash: string };
      return { id, tenantId, role, prefix, createdAt, hash };
    },

    /** Deletes both items of a key; the tenant's other keys keep working. */
    async deleteKey(key: { tenantId: string; id: string; hash: string }): Promise<void> {
      await transact(db, [
        removeOp(db, keys.tenantApiKey(key.tenantId, key.id), { exists: true }, () => new NotFoundError(`API key ${key.id} not found`)),
        removeOp(db, keys.apiKeyByHash(key.hash)),
      ]);
    },
  };
}

export type TenantStore = ReturnType<typeof tenantStore>;
