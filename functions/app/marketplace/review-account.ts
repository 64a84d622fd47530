import { reviewAudience, type AudienceReview } from '../../core/marketplace/listing-rules.js';
import type { StoreContext } from '../../store/context.js';
import { marketplaceStore, type AccountRecord } from '../../store/marketplace.js';

/**
 * The operator reviews an account's audience data:
 * 1. load any account (404 when missing), with its version;
 * 2. record the verdict (core);
 * 3. save it conditional on the version read, telling the owner's webhooks (`account.verified` / `account.rejected`).
 */
export async function reviewAccount(ctx: Pick<StoreContext, 'db' | 'clock' | 'ids'>, accountId: string, review: AudienceReview): Promise<AccountRecord> {
  const store = marketplaceStore(ctx.db, ctx.clock, ctx.ids);
  const { account, version } = await store.loadAccount(undefined, accountId);
  const next = reviewAudience(account, review, ctx.clock().toISOString());
  await store.saveAccount(next, version, [`account.${review.verdict}`]);
  return next;
}
