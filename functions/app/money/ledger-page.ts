import type { CauseType, LedgerAccount, Posting } from '../../core/ledger/ledger.js';
import { ledgerAccountsOf, ledgerOwnerOf } from '../../core/ledger/wallet.js';
import { ValidationError } from '../../core/shared/errors.js';
import type { Role } from '../../core/tenants/tenants.js';
import type { Deps } from '../../deps.js';
import { getBalances, ledgerLinesAfter, type LedgerLine } from '../../store/ledger.js';
import { decodeCursor, encodeCursor } from '../../store/pagination.js';

export interface LedgerQuery {
  limit: number;
  cursor?: string;
  /** ISO instants, inclusive. */
  from?: string;
  to?: string;
  cause?: CauseType;
}

export type LedgerLineWithBalance = LedgerLine & { balancesAfter: Record<string, number> };

/** Lines read per Query while walking the ledger. */
const BATCH = 100;

/**
 * A page of the caller's ledger, newest first, each line with the caller's balances right after
 * it (the running balance).
 * 1. Start from the current balances (or, on a later page, from the balances the cursor carries).
 * 2. Walk the lines newest first: a line's balances-after are the running ones; then take its
 *    postings off. Lines after `to` or of another cause are walked (they move the balance) but
 *    not shown; the walk ends at the first line before `from`.
 * 3. The cursor carries where to resume and the running balances there.
 */
export async function ledgerPage(
  deps: Pick<Deps, 'db'>,
  role: Role,
  tenantId: string,
  query: LedgerQuery,
): Promise<{ items: LedgerLineWithBalance[]; nextCursor?: string }> {
  const owner = ledgerOwnerOf(role, tenantId);
  const accounts = ledgerAccountsOf(role, tenantId);
  const resumed = resumeFrom(query.cursor);
  let running = resumed?.running ?? new Map(await getBalances(deps.db, accounts));
  let after = resumed?.after;
  const items: LedgerLineWithBalance[] = [];
  for (;;) {
    const { lines, nextCursor } = await ledgerLinesAfter(deps.db, owner, after, BATCH);
    for (const { resume, ...line } of lines) {
      if (query.from !== undefined && line.at < query.from) return { items };
      const shown = (query.to === undefined || line.at <= query.to) && (query.cause === undefined || line.cause.type === query.cause);
      if (shown) items.push({ ...line, balancesAfter: named(running) });
      running = before(running, line.postings);
      after = resume;
      if (items.length === query.limit) return { items, nextCursor: encodeCursor({ after, running: Object.fromEntries(running) }) };
    }
    if (!nextCursor) return { items };
    after = nextCursor;
  }
}

/** The balances before a line: its postings taken off (postings to other owners' accounts are not on this ledger). */
function before(running: Map<LedgerAccount, number>, postings: readonly Posting[]): Map<LedgerAccount, number> {
  const next = new Map(running);
  for (const p of postings) if (next.has(p.account)) next.set(p.account, (next.get(p.account) ?? 0) - p.amountMicros);
  return next;
}

const named = (balances: Map<LedgerAccount, number>): Record<string, number> =>
  Object.fromEntries([...balances].map(([account, micros]) => [`${account.split(':').at(-1)}Micros`, micros]));

function resumeFrom(cursor: string | undefined): { after: string; running: Map<LedgerAccount, number> } | undefined {
  const state = decodeCursor(cursor);
  if (!state) return undefined;
  const { after, running } = state as { after?: unknown; running?: unknown };
  if (typeof after !== 'string' || !running || typeof running !== 'object' || !Object.values(running).every(Number.isSafeInteger)) {
    throw new ValidationError('Invalid cursor', [{ field: 'cursor', message: 'is not a cursor this API returned' }]);
  }
  return { after, running: new Map(Object.entries(running as Record<string, number>)) as Map<LedgerAccount, number> };
}
