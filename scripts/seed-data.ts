import { seededRandom } from '../functions/core/shared/random.js';
import { MICROS_PER_UNIT } from '../functions/core/shared/money.js';
import { sequentialIds, type IdSource } from '../functions/core/shared/ids.js';
import type { AdUnit, OfficialAccount } from '../functions/core/marketplace/account.js';
import type { AudienceProfile, ShareDistribution } from '../functions/core/marketplace/audience.js';
import {
  AD_UNIT_DEFAULT_SIZE,
  AGE_BANDS,
  CATEGORIES,
  INTERESTS,
  REGIONS,
  type AgeBand,
  type Category,
  type Interest,
  type Platform,
  type SlotPosition,
} from '../functions/core/marketplace/catalog.js';
import { addDays, type IsoDate, type Slot } from '../functions/core/marketplace/slots.js';

/**
 * Deterministic demo marketplace: the same arguments always give the same accounts, slots and
 * ad units (a seeded PRNG, sequential ids by default). Distributions are skewed the way real
 * audiences are: follower counts are log-normal, gender and interests follow the category,
 * readers cluster in the large coastal provinces, and prices follow reads and position.
 */

export interface SeedOptions {
  followers: { median: number; sigma: number; min: number; max: number };
  /** Average reads per post as a fraction of followers. */
  readRate: { min: number; max: number };
  platformWeights: Record<Platform, number>;
  verifiedShare: number;
  /** Headline price per thousand average reads, in whole currency units. */
  headlineCpm: { min: number; max: number };
  /** Price relative to the headline. */
  positionFactor: Record<SlotPosition, number>;
  /** Chance that a post day offers each position. */
  positionChance: Record<SlotPosition, number>;
  /** Per-account share of days with a post, drawn from this range; weekends are rarer. */
  postingRate: { min: number; max: number };
  weekendPostingFactor: number;
  customArticleShare: number;
  customArticlePremium: number;
  /** Committed reads of an ad card as a fraction of average reads. */
  committedReadRate: { min: number; max: number };
  /**
   * Prices are rounded to this many micros (1 currency unit). The cheapest position never goes
   * below `minPriceMicros`; the others keep their factor above it, so position order holds.
   */
  priceRoundingMicros: number;
  minPriceMicros: number;
  floorCpm: { min: number; max: number };
  inArticleUnitShare: number;
  maxBlockedCategories: number;
  maxAccountsPerPublisher: number;
  /** Share decimals kept; shares are rounded down so a distribution never sums above 1. */
  shareDecimals: number;
  /** Share of readers with a known value, per dimension (the rest is unknown). */
  knownShare: Record<'gender' | 'ageBand' | 'region' | 'interests', { min: number; max: number }>;
  /** Standard deviation of the female share around its category's mean. */
  femaleShareSpread: number;
  /** Log-normal spread applied to every distribution weight. */
  weightNoise: number;
  /** Share of accounts whose home province dominates, and the weight added to it. */
  localAccountShare: number;
  localRegionBoost: number;
  /** Random off-topic interests added to each account. */
  extraInterests: number;
  /** Profiles were last updated up to this many days before the start date. */
  maxProfileAgeDays: number;
}

export const SEED_OPTIONS: SeedOptions = {
  followers: { median: 40_000, sigma: 1.6, min: 1_000, max: 5_000_000 },
  readRate: { min: 0.01, max: 0.15 },
  platformWeights: { wechat: 0.6, weibo: 0.15, newsletter: 0.2, other: 0.05 },
  verifiedShare: 0.4,
  headlineCpm: { min: 60, max: 250 },
  positionFactor: { headline: 1, secondary: 0.55, end_mention: 0.25 },
  positionChance: { headline: 0.8, secondary: 0.55, end_mention: 0.4 },
  postingRate: { min: 0.3, max: 0.85 },
  weekendPostingFactor: 0.5,
  customArticleShare: 0.25,
  customArticlePremium: 1.3,
  committedReadRate: { min: 0.7, max: 0.9 },
  priceRoundingMicros: MICROS_PER_UNIT,
  minPriceMicros: 20 * MICROS_PER_UNIT,
  floorCpm: { min: 5, max: 40 },
  inArticleUnitShare: 0.5,
  maxBlockedCategories: 2,
  maxAccountsPerPublisher: 3,
  shareDecimals: 4,
  knownShare: {
    gender: { min: 0.97, max: 1 },
    ageBand: { min: 0.95, max: 1 },
    region: { min: 0.9, max: 1 },
    interests: { min: 0.6, max: 0.95 },
  },
  femaleShareSpread: 0.08,
  weightNoise: 0.35,
  localAccountShare: 1 / 3,
  localRegionBoost: 40,
  extraInterests: 4,
  maxProfileAgeDays: 90,
};

export interface GenerateMarketplaceInput {
  accounts: number;
  days: number;
  startDate: IsoDate;
  seed: number;
  /** Defaults to sequential ids, so a seed gives the same ids every run. */
  ids?: IdSource;
  options?: SeedOptions;
}

export interface SeedPublisher {
  tenantId: string;
  name: string;
}

export interface Marketplace {
  publishers: SeedPublisher[];
  accounts: OfficialAccount[];
  slots: Slot[];
  adUnits: AdUnit[];
}

/** Female share of readers by category: the strongest skew in real account audiences. */
const FEMALE_SHARE: Record<Category, number> = {
  tech: 0.3,
  finance: 0.38,
  lifestyle: 0.68,
  fashion: 0.82,
  beauty: 0.88,
  food: 0.6,
  travel: 0.57,
  parenting: 0.85,
  education: 0.6,
  health: 0.62,
  gaming: 0.22,
  auto: 0.15,
  entertainment: 0.6,
  sports: 0.25,
  business: 0.35,
  culture: 0.55,
  real_estate: 0.42,
};

/** Relative weight of each age band (under18 … 55+) by category. */
const AGE_PROFILE: Record<Category, readonly number[]> = {
  tech: [2, 25, 40, 20, 9, 4],
  finance: [1, 12, 35, 30, 14, 8],
  lifestyle: [3, 30, 38, 17, 8, 4],
  fashion: [4, 38, 36, 14, 6, 2],
  beauty: [4, 40, 35, 13, 6, 2],
  food: [3, 25, 35, 20, 11, 6],
  travel: [2, 25, 35, 20, 11, 7],
  parenting: [0, 8, 52, 30, 7, 3],
  education: [8, 25, 30, 27, 7, 3],
  health: [1, 10, 25, 25, 20, 19],
  gaming: [12, 45, 30, 9, 3, 1],
  auto: [1, 15, 38, 28, 12, 6],
  entertainment: [8, 40, 30, 13, 6, 3],
  sports: [5, 30, 33, 18, 9, 5],
  business: [0, 12, 38, 30, 13, 7],
  culture: [3, 22, 30, 22, 13, 10],
  real_estate: [0, 8, 35, 32, 16, 9],
};

/** Interests that a category's readers hold most often. */
const CATEGORY_INTERESTS: Record<Category, readonly Interest[]> = {
  tech: ['technology', 'ai', 'gadgets', 'career'],
  finance: ['investing', 'personal_finance', 'crypto', 'career'],
  lifestyle: ['home_decor', 'cooking', 'pets', 'fitness'],
  fashion: ['fashion', 'beauty', 'luxury'],
  beauty: ['beauty', 'fashion', 'health'],
  food: ['cooking', 'dining_out', 'travel'],
  travel: ['travel', 'outdoors', 'dining_out'],
  parenting: ['parenting', 'education', 'health'],
  education: ['education', 'books', 'career'],
  health: ['health', 'fitness', 'cooking'],
  gaming: ['gaming', 'anime', 'gadgets'],
  auto: ['cars', 'gadgets', 'travel'],
  entertainment: ['movies', 'music', 'anime'],
  sports: ['sports', 'fitness', 'outdoors'],
  business: ['entrepreneurship', 'career', 'investing'],
  culture: ['books', 'movies', 'music', 'travel'],
  real_estate: ['home_decor', 'investing', 'personal_finance'],
};

/** Price premium per category over the base CPM: advertisers pay most for finance readers. */
const CATEGORY_PRICE_FACTOR: Record<Category, number> = {
  tech: 1.2,
  finance: 1.6,
  lifestyle: 0.9,
  fashion: 1.1,
  beauty: 1.15,
  food: 0.85,
  travel: 1,
  parenting: 1.1,
  education: 1.05,
  health: 1,
  gaming: 0.8,
  auto: 1.3,
  entertainment: 0.7,
  sports: 0.8,
  business: 1.4,
  culture: 0.75,
  real_estate: 1.35,
};

/** Rough weight of each region among online readers (large coastal provinces lead). */
const REGION_WEIGHT: Partial<Record<(typeof REGIONS)[number], number>> = {
  'CN-GD': 12,
  'CN-BJ': 7,
  'CN-SH': 7,
  'CN-JS': 7,
  'CN-ZJ': 7,
  'CN-SD': 6,
  'CN-SC': 5,
  'CN-HA': 5,
  'CN-HB': 4,
  'CN-HN': 4,
  'CN-FJ': 3.5,
  'CN-HE': 3.5,
  'CN-AH': 3,
  'CN-CQ': 2.5,
  'CN-SN': 2.5,
  'CN-LN': 2.5,
  'CN-TJ': 1.5,
  'CN-GX': 2,
  'CN-YN': 2,
  'CN-JX': 2,
  'CN-SX': 1.5,
  'CN-GZ': 1.5,
  'CN-HL': 1.5,
  'CN-JL': 1,
  'CN-NM': 1,
  'CN-XJ': 1,
  'CN-GS': 1,
  'CN-HI': 0.7,
  'CN-NX': 0.3,
  'CN-QH': 0.3,
  'CN-XZ': 0.1,
  'CN-HK': 0.8,
  'CN-MO': 0.1,
  'CN-TW': 0.3,
  OTHER: 1.5,
};

const NAME_WORDS = {
  prefix: ['Daily', 'Deep', 'Quiet', 'Bright', 'North', 'Little', 'Open', 'Slow', 'Urban', 'Weekend', 'Clear', 'Red'],
  suffix: ['Notes', 'Digest', 'Journal', 'Lab', 'Letters', 'Club', 'Weekly', 'Studio', 'Insider', 'Field Guide'],
  topic: {
    tech: 'Tech',
    finance: 'Money',
    lifestyle: 'Living',
    fashion: 'Style',
    beauty: 'Beauty',
    food: 'Kitchen',
    travel: 'Travel',
    parenting: 'Parents',
    education: 'Learning',
    health: 'Health',
    gaming: 'Games',
    auto: 'Auto',
    entertainment: 'Screen',
    sports: 'Sports',
    business: 'Business',
    culture: 'Culture',
    real_estate: 'Homes',
  } satisfies Record<Category, string>,
};

/** Generates the demo marketplace described in the module docblock. */
export function generateMarketplace(input: GenerateMarketplaceInput): Marketplace {
  const opts = input.options ?? SEED_OPTIONS;
  const rng = seededRandom(input.seed);
  const ids = input.ids ?? sequentialIds();
  const r = helpers(rng);

  const publishers: SeedPublisher[] = [];
  const accounts: OfficialAccount[] = [];
  const slots: Slot[] = [];
  const adUnits: AdUnit[] = [];

  let publisher: SeedPublisher | undefined;
  let leftForPublisher = 0;
  for (let n = 0; n < input.accounts; n++) {
    if (!publisher || leftForPublisher === 0) {
      publisher = { tenantId: ids('tnt'), name: `Publisher ${publishers.length + 1}` };
      publishers.push(publisher);
      leftForPublisher = r.int(1, opts.maxAccountsPerPublisher);
    }
    leftForPublisher--;

    const category = r.pick(CATEGORIES);
    const platform = r.weighted(opts.platformWeights);
    const topic = NAME_WORDS.topic[category];
    const name = `${r.pick(NAME_WORDS.prefix)} ${topic} ${r.pick(NAME_WORDS.suffix)}`;
    const account: OfficialAccount = {
      id: ids('acct'),
      ownerTenantId: publisher.tenantId,
      platform,
      handle: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '_')}_${n + 1}`,
      name,
      category,
      description: `${name}: ${topic.toLowerCase()} stories for curious readers, published on ${platform}.`,
      audience: generateAudience(r, category, input.startDate, opts),
    };
    accounts.push(account);
    slots.push(...generateSlots(r, account, input.startDate, input.days, opts, ids));
    adUnits.push(...generateAdUnits(r, account, opts, ids));
  }
  return { publishers, accounts, slots, adUnits };
}

type Helpers = ReturnType<typeof helpers>;

function helpers(rng: () => number) {
  const uniform = (min: number, max: number): number => min + (max - min) * rng();
  return {
    uniform,
    chance: (p: number): boolean => rng() < p,
    int: (min: number, max: number): number => Math.floor(uniform(min, max + 1)),
    pick: <T>(list: readonly T[]): T => list[Math.floor(rng() * list.length)] as T,
    normal: (): number => {
      // Box–Muller; 1 − u keeps log away from 0.
      const u = 1 - rng();
      const v = rng();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    weighted: <K extends string>(weights: Record<K, number>): K => {
      const entries = Object.entries(weights) as Array<[K, number]>;
      let x = rng() * entries.reduce((s, [, w]) => s + w, 0);
      for (const [k, w] of entries) {
        x -= w;
        if (x < 0) return k;
      }
      return entries[entries.length - 1]![0];
    },
  };
}

function generateAudience(r: Helpers, category: Category, startDate: IsoDate, opts: SeedOptions): AudienceProfile {
  const f = opts.followers;
  const followers = Math.round(clamp(f.median * Math.exp(f.sigma * r.normal()), f.min, f.max));
  const averageReads = Math.max(1, Math.floor(followers * r.uniform(opts.readRate.min, opts.readRate.max)));

  const known = (d: keyof SeedOptions['knownShare']): number => r.uniform(opts.knownShare[d].min, opts.knownShare[d].max);
  const female = clamp(FEMALE_SHARE[category] + opts.femaleShareSpread * r.normal(), 0.05, 0.95);
  const genderKnown = known('gender');
  const gender = shares(opts, { female: female * genderKnown, male: (1 - female) * genderKnown });

  const ageWeights = AGE_PROFILE[category];
  const ageBand = normalized(r, opts, Object.fromEntries(AGE_BANDS.map((b, i) => [b, ageWeights[i] ?? 0])) as Record<AgeBand, number>, known('ageBand'));

  // Local accounts (city news, regional food) draw most readers from their home province.
  const home = r.pick(REGIONS.filter((code) => code.startsWith('CN-')));
  const regionWeights: Record<string, number> = { ...REGION_WEIGHT };
  if (r.chance(opts.localAccountShare)) regionWeights[home] = (regionWeights[home] ?? 0) + opts.localRegionBoost;
  const region = normalized(r, opts, regionWeights, known('region')) as Record<string, number>;

  // Weights are relative: on-topic interests dominate, a few random ones add variety.
  const interestWeights: Partial<Record<Interest, number>> = {};
  for (const i of CATEGORY_INTERESTS[category]) interestWeights[i] = r.uniform(4, 10);
  for (let k = 0; k < opts.extraInterests; k++) {
    const i = r.pick(INTERESTS);
    interestWeights[i] = (interestWeights[i] ?? 0) + r.uniform(0.5, 2);
  }
  const interests = normalized(r, opts, interestWeights as Record<Interest, number>, known('interests'));

  const updatedDaysAgo = r.int(1, opts.maxProfileAgeDays);
  return {
    followers,
    averageReads,
    gender,
    ageBand,
    region,
    interests,
    source: r.chance(opts.verifiedShare) ? 'verified' : 'self_reported',
    updatedAt: `${addDays(startDate, -updatedDaysAgo)}T0${r.int(0, 9)}:00:00.000Z`,
  };
}

/** Noisy weights scaled to sum to `coverage` (the share of readers whose value is known). */
function normalized<K extends string>(r: Helpers, opts: SeedOptions, weights: Record<K, number>, coverage: number): ShareDistribution<K> {
  const noisy = Object.entries(weights).map(([k, w]) => [k, (w as number) * Math.exp(opts.weightNoise * r.normal())] as const);
  const total = noisy.reduce((s, [, w]) => s + w, 0);
  return shares(opts, Object.fromEntries(noisy.map(([k, w]) => [k, (w / total) * coverage])) as Record<K, number>);
}

/** Rounds shares down to `shareDecimals`, so the sum can only fall, and drops zeros. */
function shares<K extends string>(opts: SeedOptions, raw: Record<K, number>): ShareDistribution<K> {
  const factor = 10 ** opts.shareDecimals;
  const out: ShareDistribution<K> = {};
  for (const [k, v] of Object.entries(raw) as Array<[K, number]>) {
    const rounded = Math.floor(v * factor) / factor;
    if (rounded > 0) out[k] = rounded;
  }
  return out;
}

function generateSlots(r: Helpers, account: OfficialAccount, startDate: IsoDate, days: number, opts: SeedOptions, ids: IdSource): Slot[] {
  const reads = account.audience.averageReads;
  const cpm = r.uniform(opts.headlineCpm.min, opts.headlineCpm.max) * CATEGORY_PRICE_FACTOR[account.category];
  const cheapestFactor = Math.min(...Object.values<number>(opts.positionFactor));
  const headlineMicros = Math.max((reads / 1000) * cpm * MICROS_PER_UNIT, opts.minPriceMicros / cheapestFactor);
  const postingRate = r.uniform(opts.postingRate.min, opts.postingRate.max);
  const slots: Slot[] = [];
  for (let d = 0; d < days; d++) {
    const publishDate = addDays(startDate, d);
    const weekday = new Date(`${publishDate}T00:00:00Z`).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    if (!r.chance(postingRate * (weekend ? opts.weekendPostingFactor : 1))) continue;
    for (const position of ['headline', 'secondary', 'end_mention'] as const) {
      if (!r.chance(opts.positionChance[position])) continue;
      const custom = position !== 'end_mention' && r.chance(opts.customArticleShare);
      const noise = r.uniform(0.9, 1.1);
      const raw = headlineMicros * opts.positionFactor[position] * noise * (custom ? opts.customArticlePremium : 1);
      const priceMicros = Math.max(opts.minPriceMicros, Math.round(raw / opts.priceRoundingMicros) * opts.priceRoundingMicros);
      const base = { id: ids('slot'), accountId: account.id, publishDate, position, priceMicros, status: 'open' as const };
      slots.push(
        custom
          ? { ...base, format: 'custom_article' }
          : {
              ...base,
              format: 'ad_card',
              committedReads: Math.max(1, Math.floor(reads * r.uniform(opts.committedReadRate.min, opts.committedReadRate.max))),
            },
      );
    }
  }
  return slots;
}

function generateAdUnits(r: Helpers, account: OfficialAccount, opts: SeedOptions, ids: IdSource): AdUnit[] {
  const placements = r.chance(opts.inArticleUnitShare) ? (['article_bottom', 'in_article'] as const) : (['article_bottom'] as const);
  return placements.map((placement) => {
    const blocked = new Set<Category>();
    const count = r.int(0, opts.maxBlockedCategories);
    for (let k = 0; k < count; k++) {
      const c = r.pick(CATEGORIES);
      if (c !== account.category) blocked.add(c);
    }
    return {
      id: ids('unit'),
      accountId: account.id,
      placement,
      floorCpmMicros: Math.round(r.uniform(opts.floorCpm.min, opts.floorCpm.max)) * MICROS_PER_UNIT,
      blockedCategories: [...blocked].sort(),
      ...AD_UNIT_DEFAULT_SIZE,
    };
  });
}

function clamp(x: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, x));
}
