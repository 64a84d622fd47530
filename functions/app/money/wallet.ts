import { ledgerAccountsOf, newDeposit, walletOf, type WalletBalances } from '../../core/ledger/wallet.js';
import type { Role } from '../../core/tenants/tenants.js';
import type { StoreContext } from '../../store/context.js';
import { getBalances } from '../../store/ledger.js';
import { tenantStore } from '../../store/tenants.js';
import { saveDeposit } from '../../store/wallet.js';

type Ctx = Pick<StoreContext, 'db' | 'ids' | 'clock'>;

/**
 * The operator records money an advertiser paid in:
 * 1. load the tenant;
 * 2. decide (core): only an advertiser takes deposits (404); the postings platform cash → available;
 * 3. write the deposit and its postings in one transaction (409 past the balance maximum).
 */
export async function depositToAdvertiser(ctx: Ctx, input: { advertiserId: string; amountMicros: number; reference: string }): Promise<{ depositId: string }> {
  const tenant = await tenantStore(ctx.db, ctx.clock, ctx.ids).find(input.advertiserId);
  const { deposit, lines } = newDeposit(tenant, { id: ctx.ids('dep'), ...input, now: ctx.clock() });
  await saveDeposit(ctx, deposit, lines);
  return { depositId: deposit.id };
}

/** The caller's balances (core says which: their own, the platform's for the operator), read from the ledger's balance items. */
export async function walletBalances(ctx: Pick<StoreContext, 'db'>, role: Role, tenantId: string): Promise<WalletBalances> {
  return walletOf(role, tenantId, await getBalances(ctx.db, ledgerAccountsOf(role, tenantId)));
}
