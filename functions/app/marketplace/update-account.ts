import { applyAccountEdit, type AccountEdit } from '../../core/marketplace/account.js';
import type { Deps } from '../../deps.js';
import { marketplaceStore, type AccountRecord } from '../../store/marketplace.js';

/**
 * An owner edits an account:
 * 1. load it (404 unless the caller owns it), with its version;
 * 2. apply the edit with core's rule: a change of audience or identity makes it unverified again;
 * 3. save it conditional on the version read (409 if it changed meanwhile), with the category
 *    copied onto its ad units.
 */
export async function updateAccount(deps: Pick<Deps, 'db' | 'clock' | 'ids'>, tenantId: string, accountId: string, edit: AccountEdit): Promise<AccountRecord> {
  const store = marketplaceStore(deps.db, deps.clock, deps.ids);
  const { account, version } = await store.loadAccount(tenantId, accountId);
  const next = applyAccountEdit(account, edit, deps.clock().toISOString());
  await store.saveAccount(next, version);
  return next;
}
