import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { ACCOUNT_SORTS, SLOT_IDS_SHOWN, searchAccounts, type MarketAccount } from '../../core/marketplace/browse.js';
import { CATEGORIES, INTERESTS, PLATFORMS, REGIONS } from '../../core/marketplace/catalog.js';
import type { RankedSlot } from '../../core/marketplace/matching.js';
import { MatchQuery } from '../../core/marketplace/search.js';
import { matchSlots } from '../../app/marketplace/match-slots.js';
import { IsoDate, localDate } from '../../core/marketplace/slots.js';
import { marketSnapshot } from '../../store/market-snapshot.js';
import type { AppEnv } from '../env.js';
import { AccountSchema, AudienceSchema, SlotSchema, page } from '../marketplace-schemas.js';
import { getAccount, marketplaceStore } from '../../store/marketplace.js';
import { marketSlotView } from './slots.js';
import { PageQuery, access, errorResponses, IdParam, jsonBody, jsonContent, microsQuery, router } from '../openapi.js';
import { paged } from '../pagination.js';

const tags = ['Marketplace'];
const errors = { 400: errorResponses[400], 401: errorResponses[401] };
// Query strings carry numbers as text, so they are coerced there; JSON bodies never are.
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const queryCount = z.coerce.number().pipe(count);

const SearchQuery = PageQuery.extend({
  platform: z.enum(PLATFORMS).optional(),
  category: z.enum(CATEGORIES).optional(),
  minFollowers: queryCount.optional(),
  region: z.enum(REGIONS).optional().openapi({ description: 'Accounts with readers in this region' }),
  interest: z.enum(INTERESTS).optional().openapi({ description: 'Accounts with readers holding this interest' }),
  verifiedOnly: z.stringbool().optional().openapi({ description: 'Only accounts whose audience an operator verified' }),
  minPriceMicros: microsQuery.optional(),
  maxPriceMicros: microsQuery.optional(),
  availableFrom: IsoDate.optional().openapi({ description: 'Only accounts with an open slot (in the price range) on or after this date…' }),
  availableTo: IsoDate.optional().openapi({ description: '…and on or before this one' }),
  sort: z.enum(ACCOUNT_SORTS).default('followers'),
  order: z.enum(['asc', 'desc']).optional().openapi({ description: 'Default: desc for followers and averageReads, asc for price' }),
});

const MarketAccountSchema = AccountSchema.pick({ id: true, platform: true, handle: true, name: true, category: true, description: true })
  .extend({ audience: AudienceSchema })
  .openapi('MarketAccount');

const search = createRoute({
  method: 'get',
  path: '/v1/marketplace/accounts',
  tags,
  summary: 'Find accounts by platform, category, audience, verification, price and open dates',
  ...access(),
  request: { query: SearchQuery },
  responses: {
    200: jsonContent(
      z.object({
        items: z.array(
          z.object({
            account: MarketAccountSchema,
            openSlots: z.object({
              count: z.number().int(),
              fromPriceMicros: z.number().int().nullable(),
              nextDate: IsoDate.nullable(),
              slotIds: z.array(z.string()).openapi({ description: `The first ${SLOT_IDS_SHOWN} fitting open slots, by date` }),
            }),
          }),
        ),
        total: z.number().int(),
        nextCursor: z.string().optional(),
      }),
      'A page of accounts',
    ),
    ...errors,
  },
});

const accountPage = createRoute({
  method: 'get',
  path: '/v1/marketplace/accounts/{id}',
  tags,
  summary: 'One account as advertisers see it: its audience and verification',
  ...access(),
  request: { params: IdParam('acct') },
  responses: {
    200: jsonContent(MarketAccountSchema.extend({ verification: AccountSchema.shape.verification }), 'The account'),
    ...errors,
    404: errorResponses[404],
  },
});

const accountSlots = createRoute({
  method: 'get',
  path: '/v1/marketplace/accounts/{id}/slots',
  tags,
  summary: 'An account’s open slots by date (with their ids and prices), optionally between two dates',
  ...access(),
  request: { params: IdParam('acct'), query: PageQuery.extend({ from: IsoDate.optional(), to: IsoDate.optional() }) },
  responses: { 200: jsonContent(page(SlotSchema), 'A page of open slots'), ...errors, 404: errorResponses[404] },
});

const MatchBody = MatchQuery.meta({ id: 'MatchQuery' });

const MatchedSlotSchema = z
  .object({
    slot: SlotSchema.omit({ createdAt: true, updatedAt: true, orderId: true }),
    account: MarketAccountSchema.omit({ description: true, audience: true }).extend({
      followers: z.number().int(),
      averageReads: z.number().int(),
      audienceSource: AudienceSchema.shape.source,
    }),
    matchShare: z.number(),
    targetedReach: z.number().int(),
    cptrMicros: z.number().int().openapi({ description: 'Cost per thousand targeted reads' }),
    explanations: z.array(z.object({ dimension: z.string(), targeted: z.boolean(), values: z.array(z.string()), share: z.number(), text: z.string() })),
  })
  .openapi('MatchedSlot');

const match = createRoute({
  method: 'post',
  path: '/v1/marketplace/match',
  tags,
  summary: 'Open slots ranked by cost per thousand targeted reads, and with a budget the best plan',
  ...access(),
  request: jsonBody(MatchBody),
  responses: {
    200: jsonContent(
      z.object({
        results: z.array(MatchedSlotSchema),
        totalMatches: z.number().int(),
        plan: z
          .object({
            budgetMicros: z.number().int(),
            slots: z.array(MatchedSlotSchema),
            totals: z.object({ costMicros: z.number().int(), targetedReach: z.number().int(), averageCptrMicros: z.number().int().nullable() }),
            method: z.enum(['exact', 'approximate']),
            bound: z.object({ ratio: z.number(), upperBoundReach: z.number() }).optional(),
          })
          .optional(),
        note: z.string(),
      }),
      'Ranked slots (and the plan)',
    ),
    ...errors,
  },
});

const marketAccountView = ({ id, platform, handle, name, category, description, audience }: MarketAccount) => ({
  id,
  platform,
  handle,
  name,
  category,
  description,
  audience,
});

const matchedView = ({
  slot: { id, accountId, publishDate, position, format, committedReads, priceMicros, status },
  account: a,
  matchShare,
  targetedReach,
  cptrMicros,
  explanations,
}: RankedSlot) => ({
  slot: { id, accountId, publishDate, position, format, committedReads, priceMicros, status },
  account: {
    id: a.id,
    platform: a.platform,
    handle: a.handle,
    name: a.name,
    category: a.category,
    followers: a.audience.followers,
    averageReads: a.audience.averageReads,
    audienceSource: a.audience.source,
  },
  matchShare,
  targetedReach,
  cptrMicros,
  explanations,
});

/** The marketplace as of at most a second ago. */
const market = (c: Context<AppEnv>) => marketSnapshot(c.var.deps.db, c.var.deps.clock).current();

const today = (c: Context<AppEnv>) => localDate(c.var.deps.clock(), c.var.deps.config.MARKET_TIMEZONE);

const listings = (c: Context<AppEnv>) => {
  const { db, clock, ids } = c.var.deps;
  return marketplaceStore(db, clock, ids);
};

export const marketplaceRoutes = router()
  .openapi(accountPage, async (c) => {
    const account = await getAccount(c.var.deps.db, c.req.valid('param').id);
    return c.json({ ...marketAccountView({ ...account, openSlots: [] }), verification: account.verification }, 200);
  })
  .openapi(accountSlots, async (c) => {
    const out = await paged(c, c.req.valid('query'), ({ limit, cursor, ...dates }) => listings(c).openSlots(c.req.valid('param').id, dates, { limit, cursor }));
    return c.json({ ...out, items: out.items.map((s) => marketSlotView(s, undefined)) }, 200);
  })
  .openapi(search, async (c) => {
    const { accounts } = await market(c);
    const page = await paged(c, c.req.valid('query'), async (query) => searchAccounts(accounts, { ...query, today: today(c) }));
    return c.json({ ...page, items: page.items.map((h) => ({ account: marketAccountView(h.account), openSlots: h.openSlots })) }, 200);
  })
  .openapi(match, async (c) => {
    const { results, totalMatches, plan, note } = await matchSlots(c.var.deps, c.req.valid('json'));
    return c.json({ results: results.map(matchedView), totalMatches, ...(plan ? { plan: { ...plan, slots: plan.slots.map(matchedView) } } : {}), note }, 200);
  });
