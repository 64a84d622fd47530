import { ForbiddenError } from '../../core/shared/errors.js';
import { mayRevokeKey, PLATFORM_TENANT_ID, type Principal } from '../../core/tenants/tenants.js';
import type { Deps } from '../../deps.js';
import { tenantStore, type NewKey } from '../../store/tenants.js';

type TenantDeps = Pick<Deps, 'db' | 'clock' | 'ids'>;

/**
 * An operator key, as `npm run admin -- create-key` makes it: on the platform tenant, a reserved
 * id that no signup can claim (made on first use), never on a tenant found by email.
 */
export async function createAdminKey(deps: TenantDeps): Promise<NewKey> {
  const store = tenantStore(deps.db, deps.clock, deps.ids);
  await store.ensurePlatformTenant();
  return store.createKey(PLATFORM_TENANT_ID, 'admin');
}

/**
 * Revokes one of the caller's own keys:
 * 1. load it from the caller's tenant (another tenant's key: 404);
 * 2. refuse (403) an operator's key to a caller who is not an operator;
 * 3. delete it: it is refused from the next request on.
 */
export async function revokeApiKey(deps: TenantDeps, caller: Principal, keyId: string): Promise<void> {
  const store = tenantStore(deps.db, deps.clock, deps.ids);
  const key = await store.getKey(caller.tenantId, keyId);
  if (!mayRevokeKey(caller.role, key.role)) throw new ForbiddenError('Only an operator may revoke an operator’s key');
  await store.deleteKey(key);
}
