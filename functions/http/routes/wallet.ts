import { createRoute, z } from '@hono/zod-openapi';
import { CAUSE_TYPES } from '../../core/ledger/ledger.js';
import { ValidationError } from '../../core/shared/errors.js';
import { ledgerPage } from '../../app/money/ledger-page.js';
import { listDeposits } from '../../store/wallet.js';
import { depositToAdvertiser, walletBalances } from '../../app/money/wallet.js';
import { caller } from '../auth.js';
import { page } from '../marketplace-schemas.js';
import { access, errorResponses, Id, jsonBody, jsonContent, microsInput, PageQuery, problemContent, router } from '../openapi.js';
import { paged } from '../pagination.js';

const tags = ['Money'];
const micros = (description: string) => z.number().int().openapi({ description });

/** An ISO instant, or a date: its start (`from`) or end (`to`) is meant, in UTC; normalised to toISOString form. */
const instantOf = (end: boolean) =>
  z
    .union([z.iso.datetime({ offset: true }), z.iso.date()])
    .transform((v) => (v.length === 10 ? `${v}T${end ? '23:59:59.999' : '00:00:00.000'}Z` : new Date(v).toISOString()));
const Instant = instantOf(false);

const WalletSchema = z
  .object({
    currency: z.string(),
    balances: z.union([
      z.object({ availableMicros: micros('Spendable'), heldMicros: micros('Held in escrow for open orders') }).openapi('AdvertiserBalances'),
      z
        .object({
          pendingMicros: micros('Programmatic earnings in their clearing period (open to invalid-traffic rulings); withdrawable once cleared'),
          earnedMicros: micros('Earned, not yet withdrawn'),
          pendingPayoutMicros: micros('Requested payouts not yet paid'),
          paidMicros: micros('Paid out'),
        })
        .openapi('PublisherBalances'),
      z
        .object({ revenueMicros: micros('Platform fees earned'), cashMicros: micros('Counterpart of deposits and payouts: minus the money held for tenants') })
        .openapi('PlatformBalances'),
    ]),
  })
  .openapi('Wallet');

const LedgerEntrySchema = z
  .object({
    txnId: z.string(),
    at: z.iso.datetime(),
    cause: z.object({ type: z.enum(CAUSE_TYPES), id: z.string() }),
    memo: z.string(),
    currency: z.string(),
    postings: z
      .array(z.object({ account: z.string(), amountMicros: z.number().int() }))
      .openapi({ description: 'This owner’s postings of the transaction (the other side is on the counterpart’s ledger)' }),
    balancesAfter: z
      .record(z.string(), z.number().int())
      .openapi({ description: 'The running balance: the caller’s balances (as in GET /v1/wallet) right after this entry' }),
  })
  .openapi('LedgerEntry');

const DepositSchema = z
  .object({
    advertiserId: Id('tnt'),
    amountMicros: microsInput('The amount paid in'),
    reference: z.string().trim().min(1).max(200).openapi({ description: 'The bank or payment reference' }),
  })
  .openapi('DepositInput');

const wallet = createRoute({
  method: 'get',
  path: '/v1/wallet',
  tags,
  summary: 'The caller’s balances (the platform’s for an operator)',
  ...access(),
  responses: { 200: jsonContent(WalletSchema, 'Balances'), 401: errorResponses[401] },
});

const ledger = createRoute({
  method: 'get',
  path: '/v1/wallet/ledger',
  tags,
  summary: 'The caller’s ledger entries, newest first, each naming its cause and the balances after it; filter by time and cause',
  ...access(),
  request: {
    query: PageQuery.extend({
      from: Instant.optional().openapi({ description: 'Entries at or after this instant (a date means its start, UTC)' }),
      to: instantOf(true).optional().openapi({ description: 'Entries at or before this instant (a date means its end, UTC)' }),
      cause: z.enum(CAUSE_TYPES).optional(),
    }),
  },
  responses: { 200: jsonContent(page(LedgerEntrySchema), 'Entries'), 400: errorResponses[400], 401: errorResponses[401] },
});

const deposits = createRoute({
  method: 'get',
  path: '/v1/admin/deposits',
  tags: ['Admin', ...tags],
  summary: 'Every recorded deposit, newest first',
  ...access('admin'),
  request: { query: PageQuery },
  responses: {
    200: jsonContent(page(DepositSchema.extend({ id: z.string(), createdAt: z.iso.datetime() }).openapi('DepositRecord')), 'Deposits'),
    400: errorResponses[400],
    401: errorResponses[401],
    403: errorResponses[403],
  },
});

const createDeposit = createRoute({
  method: 'post',
  path: '/v1/admin/deposits',
  tags: ['Admin', ...tags],
  summary: 'Record money an advertiser paid in (needs an Idempotency-Key: a retry returns the first deposit)',
  ...access('admin'),
  request: { headers: z.object({ 'idempotency-key': z.string().optional().openapi({ description: 'Required' }) }), ...jsonBody(DepositSchema) },
  responses: {
    201: jsonContent(DepositSchema.extend({ id: z.string(), currency: z.string() }).openapi('Deposit'), 'Recorded'),
    400: errorResponses[400],
    401: errorResponses[401],
    403: errorResponses[403],
    404: problemContent('No such advertiser'),
    409: problemContent('The deposit would take the balance past the maximum of 10^15 micros (`maxMicros`); nothing is recorded'),
  },
});

export const walletRoutes = router()
  .openapi(wallet, async (c) => {
    const { tenantId, role } = caller(c);
    return c.json({ currency: c.var.deps.config.CURRENCY, balances: await walletBalances(c.var.deps, role, tenantId) }, 200);
  })
  .openapi(ledger, async (c) => {
    const { tenantId, role } = caller(c);
    const lines = await paged(c, c.req.valid('query'), (query) => ledgerPage(c.var.deps, role, tenantId, query));
    return c.json({ ...lines, items: lines.items.map((l) => ({ ...l, currency: c.var.deps.config.CURRENCY })) }, 200);
  })
  .openapi(deposits, async (c) => c.json(await paged(c, c.req.valid('query'), (page) => listDeposits(c.var.deps.db, page)), 200))
  .openapi(createDeposit, async (c) => {
    if (!c.req.valid('header')['idempotency-key'])
      throw new ValidationError('Deposits need an Idempotency-Key', [
        { field: 'Idempotency-Key', message: 'is required: a retry with the same key records the deposit once' },
      ]);
    const input = c.req.valid('json');
    const { depositId } = await depositToAdvertiser(c.var.deps, input);
    return c.json({ id: depositId, ...input, currency: c.var.deps.config.CURRENCY }, 201);
  });
