import type { Campaign, ServedCreative } from '../../core/campaigns/campaign.js';
import { buildIndex } from '../../core/serving/be-index.js';
import { INVALID, type Outcome } from '../../core/serving/billing.js';
import { CTR_OPTIONS } from '../../core/serving/ctr.js';
import { decide, type CampaignRuntime, type DecideOptions, type NoAdReason } from '../../core/serving/decide.js';
import { eventValidity } from '../../core/serving/event-validity.js';
import { fingerprint, isBot, type RequestSource } from '../../core/serving/fingerprint.js';
import { effectiveFloor } from '../../core/serving/floor.js';
import { countersOf, frequencyCounts, type FrequencyCap } from '../../core/serving/frequency.js';
import { liveServed, readFrequencyToken, servedCounts, signFrequencyToken, withServed, type Served } from '../../core/serving/frequency-token.js';
import { RateLimiter } from '../../core/serving/rate-limit.js';
import { hourKey } from '../../core/serving/reports.js';
import { trackingTokens, verifyToken, type TrackingEvent, type TrackingPayload, type TrackingRef } from '../../core/serving/tracking.js';
import { unitAccess } from '../../core/serving/unit-access.js';
import type { DecisionRequest } from '../../core/serving/inputs.js';
import { localDate, viewerContext, viewerHash } from '../../core/serving/viewer.js';
import { Ranking } from '../../core/serving/ranking.js';
import { LruMap } from '../../core/shared/lru.js';
import { NotFoundError, RateLimitedError, UnauthorizedError } from '../../core/shared/errors.js';
import type { Config } from '../../config.js';
import type { Deps } from '../../deps.js';
import { batchGetItems, BatchReader, itemId } from '../../store/batch-get.js';
import { ChangeFeed } from '../../store/change-feed.js';
import type { Db } from '../../store/client.js';
import type { FrequencyCaps } from '../../store/frequency.js';
import { getAdUnit, type AdUnitRecord } from '../../store/marketplace.js';
import { keys } from '../../store/keys.js';
import { LIFETIME, type CounterDimension, type Increments } from '../../store/reports.js';
import { Biller, type BillInput } from './billing.js';
import { coalesced } from './coalesce.js';
import { Counters } from './counters.js';
import { MS_PER_HOUR, MS_PER_SECOND } from '../../core/shared/time.js';

/**
 * The serve function's state and its two use cases, decisions and tracking (README,
 * "Programmatic serving").
 *
 * State, per Lambda instance (module level, one engine per table client):
 * - every campaign from the 'campaigns' change feed (one Query at most per second, only what
 *   changed), and a boolean-expression index over the active ones, rebuilt when the feed
 *   brought a change;
 * - ad units, read through with a TTL (AD_UNIT_CACHE_SECONDS);
 * - per active campaign the budget left, today's spend and lifetime impressions/clicks, from one
 *   BatchGet every BUDGET_REFRESH_SECONDS plus what this instance bills meanwhile. This view only
 *   filters and paces; exactness comes from the conditional decrement at billing.
 * - budget leases and the postings and counters of what it billed (billing.ts, counters.ts),
 *   flushed every COUNTER_FLUSH_MS on a timer and when a decision finds a flush due.
 *
 * - per source (network fingerprint) and per source × viewer, decisions in the current minute
 *   (rate-limit.ts), and per viewer the decisions for capped campaigns this instance served
 *   (frequency-token.ts): bounded LRUs of SERVE_MEMORY_ENTRIES, as is the ad-unit cache.
 *
 * So a warm decision reads nothing: frequency comes from the client's signed frequency token and
 * the instance's memory. A server-to-server caller (the unit's server key) without a token falls
 * back to reading the viewer's frequency item (by key, through a BatchReader, so that concurrent
 * decisions share one BatchGetItem).
 */

/** What the platform saw of the caller of a decision. */
export interface DecisionCaller extends RequestSource {
  /** The page's origin (`Origin`, else the origin of `Referer`), lower case. */
  origin: string | undefined;
  /** The unit's server key (server-to-server callers). */
  serverKey: string | undefined;
  /** Set when a verified tenant asks for the reason of no ad: only the unit's owner may. */
  debugTenantId?: string;
}

/**
 * Which event rules a tracking hit is held to. Image tags (newsletters) make the decision and the
 * open in one request, and mail proxies fetch images from other addresses than the reader's
 * click: they are bound to unit and key instead (tags/), so only the bot rule applies to them.
 */
export type EventRules = 'token' | 'image-tag';

export type NoAd = NoAdReason | 'unit_disabled' | 'wrong_origin';

export type DecisionResponse =
  | { decisionId: string; ad: { campaignId: string; creative: ServedCreative; impressionUrl: string; clickUrl: string }; frequencyToken: string }
  | { ad: null; reason: NoAd };

interface BudgetView {
  remainingMicros: number;
  spentTodayMicros: number;
  impressions: number;
  clicks: number;
}

export class ServeEngine {
  private readonly feed: ChangeFeed<Campaign>;
  private readonly options: DecideOptions;
  /** The targeting index over the active campaigns and their auction order (ranking.ts). */
  private ranking: Ranking<ServedCreative[]> | undefined;
  private runtimes = new Map<string, CampaignRuntime<ServedCreative[]>>();
  private byAdvertiser = new Map<string, string[]>();
  private budgets = new Map<string, BudgetView>();
  private maxCapHours = 0;
  private readonly caps: FrequencyCaps = { capOf: () => undefined, maxPerHours: 0 };
  private readonly reader: BatchReader;
  private budgetsAt = -Infinity;
  /** When the last refresh (feed and, when due, budgets) completed. */
  private refreshedAt = -Infinity;
  private readonly units: LruMap<string, { unit: AdUnitRecord | null; until: number }>;
  private readonly recent: LruMap<string, Served[]>;
  private readonly perSource: RateLimiter;
  private readonly perViewer: RateLimiter;
  private readonly counters = new Counters();
  readonly biller: Biller;
  private flushedAt: number;
  private refreshing: Promise<void> | undefined;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(private readonly deps: Deps) {
    this.feed = new ChangeFeed<Campaign>(deps.db, 'campaigns', deps.clock);
    this.reader = new BatchReader(deps.db, deps.config.VIEWER_BATCH_WAIT_MS);
    this.biller = new Biller(deps);
    this.options = decideOptions(deps.config);
    this.flushedAt = deps.clock().getTime();
    // Also when no decision comes: the last interval's counts and postings do not wait for traffic.
    this.timer = setInterval(() => void this.flush(), deps.config.COUNTER_FLUSH_MS);
    this.timer.unref();
    const entries = deps.config.SERVE_MEMORY_ENTRIES;
    this.units = new LruMap(entries);
    this.recent = new LruMap(entries);
    this.perSource = new RateLimiter(deps.config.DECISIONS_PER_SOURCE_PER_MINUTE, entries);
    this.perViewer = new RateLimiter(deps.config.DECISIONS_PER_VIEWER_PER_MINUTE, entries);
  }

  /**
   * One decision: fingerprint the caller and hold it to its rate limits, refresh what is due,
   * check where the unit may serve, count frequency from the token and memory, run the pure
   * `decide`, count, and sign the tracking links and the next frequency token. `exclude`:
   * campaigns that may not win (those already chosen for the same page).
   */
  async decide(req: DecisionRequest, caller: DecisionCaller, exclude?: ReadonlySet<string>): Promise<DecisionResponse> {
    const secret = await this.deps.trackingSecret();
    const hash = viewerHash(req.viewer.id);
    const source = fingerprint(caller, secret, this.deps.clock().getTime());
    this.admit(source, hash);
    const [unit] = await Promise.all([this.adUnit(req.adUnitId), this.current()]);
    // Another tenant's unit is not theirs to debug: as if it did not exist.
    if (caller.debugTenantId !== undefined && caller.debugTenantId !== unit.ownerTenantId) throw new NotFoundError(`Ad unit ${unit.id} not found`);
    const now = this.deps.clock().getTime();
    this.count('adUnit', unit.id, now, 'requests');
    this.count('account', unit.accountId, now, 'requests');
    if (!unit.enabled) return { ad: null, reason: 'unit_disabled' };
    const access = unitAccess(unit, caller);
    if (access === 'bad_key') throw new UnauthorizedError(`Unknown server key for ad unit ${unit.id}`);
    if (access === 'wrong_origin') {
      for (const [dimension, id] of [
        ['adUnit', unit.id],
        ['account', unit.accountId],
      ] as const)
        this.counters.add({ dimension, id, period: hourKey(now) }, countsOf('wrong_origin', 0, 'i'));
      return { ad: null, reason: 'wrong_origin' };
    }
    const capOf = (id: string) => this.runtimes.get(id)?.frequencyCap;
    const fromToken = liveServed(readFrequencyToken(req.frequencyToken, hash, secret), capOf, now);
    const remembered = liveServed(this.recent.get(hash) ?? [], capOf, now);
    const counts = servedCounts(fromToken, remembered);
    // A server-to-server caller keeps no token: read what billing counted (one GetItem, batched).
    if (access === 'server' && req.frequencyToken === undefined && this.maxCapHours > 0) {
      for (const [id, n] of frequencyCounts(countersOf(await this.reader.get(keys.viewerFrequency(hash))), capOf, now))
        counts.set(id, Math.max(n, counts.get(id) ?? 0));
    }
    const result = decide(
      {
        ranking: this.ranking!,
        adUnit: {
          id: unit.id,
          accountId: unit.accountId,
          accountCategory: unit.category,
          floorCpmMicros: effectiveFloor(unit, now),
          blockedCategories: unit.blockedCategories,
        },
        viewer: viewerContext(req.viewer),
        frequencyCounts: counts,
        now,
        exclude,
      },
      this.options,
    );
    void this.flushIfDue(now);
    if (result.ad === null) return { ad: null, reason: result.reason };
    const ad = result.ad;
    for (const [dimension, id] of [
      ['adUnit', unit.id],
      ['account', unit.accountId],
      ['campaign', ad.campaignId],
    ] as const)
      this.count(dimension, id, now, 'fills');
    // Both views converge on the longer one plus this decision, when it counts towards a cap.
    const known = fromToken.length >= remembered.length ? fromToken : remembered;
    const served = capOf(ad.campaignId) == null ? known : withServed(known, ad.campaignId, now);
    if (served !== known || remembered.length > 0) this.recent.set(hash, served);
    const creative = ad.creative[Math.floor(Math.random() * ad.creative.length)]!;
    const campaign = this.feed.items.get(ad.campaignId)!;
    const decisionId = this.deps.ids('dec');
    const ref: TrackingRef = {
      accountId: unit.accountId,
      publisherId: unit.ownerTenantId,
      advertiserId: campaign.advertiserId,
      viewerHash: hash,
      landingUrl: creative.landingUrl,
    };
    const exp = now + this.deps.config.TRACKING_TOKEN_TTL_HOURS * MS_PER_HOUR;
    const tokens = trackingTokens(
      {
        decisionId,
        campaignId: ad.campaignId,
        adUnitId: unit.id,
        chargeMicros: ad.chargeMicros,
        chargeEvent: ad.chargeEvent,
        decidedAt: now,
        fingerprint: source,
        ref,
      },
      secret,
      exp,
    );
    const base = this.deps.config.PUBLIC_BASE_URL ?? '';
    return {
      decisionId,
      ad: { campaignId: ad.campaignId, creative, impressionUrl: `${base}/t/i/${tokens.impression}`, clickUrl: `${base}/t/c/${tokens.click}` },
      frequencyToken: signFrequencyToken(hash, served, secret),
    };
  }

  /** Holds a source to DECISIONS_PER_SOURCE_PER_MINUTE, and a source × viewer to DECISIONS_PER_VIEWER_PER_MINUTE. */
  private admit(source: string, hash: string): void {
    const now = this.deps.clock().getTime();
    if (this.perSource.take(source, now) && this.perViewer.take(`${source}|${hash}`, now)) return;
    const { DECISIONS_PER_SOURCE_PER_MINUTE: perSource, DECISIONS_PER_VIEWER_PER_MINUTE: perViewer } = this.deps.config;
    throw new RateLimitedError(
      `Too many decisions from this source: at most ${perSource} a minute, ${perViewer} per viewer id`,
      this.perSource.retryAfterSeconds(now),
    );
  }

  /**
   * One tracking hit: the billing entry point (the tracking routes and the ad tags call it).
   * Whatever happens the caller answers normally (GIF, redirect); only a verified, valid (not a
   * bot, from its decision's source, not too fast: event-validity.ts), first, affordable event
   * within its limits bills. `source` is who sent it, as the platform saw it. Returns where a
   * click goes (only from a genuine token).
   */
  async track(token: string, event: TrackingEvent, source: RequestSource, rules: EventRules = 'token'): Promise<{ outcome: Outcome; landingUrl?: string }> {
    const secret = await this.deps.trackingSecret();
    const now = this.deps.clock();
    const verified = verifyToken(token, secret, now);
    // An expired token is genuine: read it (as of time 0) to count it against its campaign.
    const genuine = verified.ok
      ? verified.payload
      : verified.reason === 'expired'
        ? (verifyToken(token, secret, 0) as { payload?: TrackingPayload }).payload
        : undefined;
    if (genuine?.ref === undefined || genuine.event !== event) {
      const outcome = verified.ok ? 'malformed' : verified.reason;
      this.counters.add({ dimension: 'platform', id: 'all', period: hourKey(now) }, countsOf(outcome, 0, event));
      return { outcome };
    }
    await this.refresh();
    const payload = genuine as TrackingPayload & { ref: TrackingRef };
    const input: BillInput = { payload, campaign: this.feed.items.get(genuine.campaignId), source: { fingerprint: genuine.fingerprint }, caps: this.caps };
    const bot = isBot(source.userAgent);
    const seen = rules === 'image-tag' ? { fingerprint: genuine.fingerprint, bot } : { fingerprint: fingerprint(source, secret, genuine.decidedAt), bot };
    const delay = rules === 'image-tag' ? 0 : this.deps.config.MIN_IMPRESSION_DELAY_MS;
    const invalid = verified.ok ? eventValidity(genuine, seen, now.getTime(), delay) : 'expired';
    const outcome = invalid ?? (await this.biller.bill(input));
    this.countEvent(payload, outcome, now.getTime());
    if (outcome === 'billed') this.spent(genuine.campaignId, genuine.chargeMicros);
    if (INVALID.has(outcome)) this.deps.logger.info('invalid tracking event', { outcome, decisionId: genuine.decisionId });
    return { outcome, landingUrl: genuine.ref.landingUrl };
  }

  /** Report counters of one event, per campaign (hour and lifetime), unit and account. */
  private countEvent(payload: TrackingPayload & { ref: TrackingRef }, outcome: Outcome, now: number): void {
    const hour = hourKey(now);
    const inc = countsOf(outcome, outcome === 'billed' ? payload.chargeMicros : 0, payload.event);
    const targets: [CounterDimension, string, string][] = [
      ['campaign', payload.campaignId, hour],
      ['campaign', payload.campaignId, LIFETIME],
      ['adUnit', payload.adUnitId, hour],
      ['account', payload.ref.accountId, hour],
    ];
    for (const [dimension, id, period] of targets) this.counters.add({ dimension, id, period }, inc);
  }

  /**
   * Posts what was billed and writes the counters summed so far: on a timer, when a decision
   * finds it due, and before an instance idles (tests, local shutdown). Concurrent callers share one.
   */
  readonly flush = coalesced(async () => {
    this.flushedAt = this.deps.clock().getTime();
    await Promise.all([this.biller.flush(), this.counters.flush(this.deps.db, this.deps.logger)]).catch((error: unknown) =>
      this.deps.logger.warn('flush failed', { error }),
    );
  });

  /** Returns every lease (what it did not bill goes back to the budget) and flushes everything. */
  async returnLeases(): Promise<void> {
    await this.flush();
    await this.biller.stop();
  }

  /** Stops the timer and returns every lease: the instance is going away (local shutdown, tests). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.returnLeases();
  }

  private flushIfDue(now: number): Promise<void> {
    return now - this.flushedAt >= this.deps.config.COUNTER_FLUSH_MS ? this.flush() : Promise.resolve();
  }

  private count(dimension: 'adUnit' | 'account' | 'campaign', id: string, now: number, what: 'requests' | 'fills'): void {
    this.counters.add({ dimension, id, period: hourKey(now) }, { [what]: 1 });
  }

  /**
   * Brings the campaign index (feed, ≤ 1 Query/s) and the budget view (BatchGet every few seconds)
   * up to date. Concurrent callers share one refresh.
   */
  refresh(): Promise<void> {
    this.refreshing ??= this.update().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /**
   * The state a decision may use. A refresh always starts when one is due, but a decision waits
   * for it only when the last one completed more than SERVE_STATE_MAX_AGE_SECONDS ago: otherwise
   * it runs behind the decision, which does not wait on DynamoDB.
   */
  private current(): Promise<void> {
    const refreshing = this.refresh();
    if (this.deps.clock().getTime() - this.refreshedAt > this.deps.config.SERVE_STATE_MAX_AGE_SECONDS * MS_PER_SECOND) return refreshing;
    refreshing.catch((error: unknown) => this.deps.logger.warn('refresh failed', { error }));
    return Promise.resolve();
  }

  /**
   * Starts the first refresh and the tracking key's load at cold start, before any request needs
   * them. While those reads are in flight, Intl loads its time-zone data (about 10 ms, once per
   * process, on the first zoned date — which the budget view needs right after the feed arrives).
   */
  warm(): void {
    Promise.all([this.refresh(), this.deps.trackingSecret()]).catch((error: unknown) => this.deps.logger.warn('warm-up failed', { error }));
    localDate(this.deps.clock(), 'UTC');
  }

  private async update(): Promise<void> {
    const changed = await this.feed.refresh();
    if (changed > 0 || this.ranking === undefined) this.rebuild();
    if (this.deps.clock().getTime() - this.budgetsAt >= this.deps.config.BUDGET_REFRESH_SECONDS * MS_PER_SECOND) await this.refreshBudgets();
    this.refreshedAt = this.deps.clock().getTime();
  }

  private rebuild(): void {
    const active = [...this.feed.items.values()].filter((c) => c.status === 'active' && c.creatives.length > 0);
    const index = buildIndex(active.map((c) => ({ id: c.id, targeting: c.targeting })));
    this.maxCapHours = Math.max(0, ...active.map((c) => (c.frequencyCap ? c.frequencyCap.perHours : 0)));
    // A campaign that stopped serving (paused, ended, exhausted) gives its lease back.
    for (const c of this.feed.items.values()) if (c.status !== 'active') this.biller.retire(c.id);
    // Paused and exhausted campaigns may serve again: their counters are kept, as long as their windows.
    const caps = new Map<string, FrequencyCap | null>();
    for (const c of this.feed.items.values())
      if (TERMINAL.has(c.status) || c.frequencyCap != null) caps.set(c.id, TERMINAL.has(c.status) ? null : c.frequencyCap!);
    const longest = Math.max(0, ...[...caps.values()].map((cap) => cap?.perHours ?? 0));
    Object.assign(this.caps, { capOf: (id: string) => caps.get(id), maxPerHours: longest });
    this.runtimes = new Map(active.map((c) => [c.id, this.runtime(c)]));
    this.ranking = new Ranking(index, this.runtimes, this.options);
    this.byAdvertiser = new Map();
    for (const c of active) {
      const list = this.byAdvertiser.get(c.advertiserId);
      if (list === undefined) this.byAdvertiser.set(c.advertiserId, [c.id]);
      else list.push(c.id);
    }
    // A campaign this instance has no budget for yet must not wait for the next periodic read.
    if (active.some((c) => !this.budgets.has(c.id))) this.budgetsAt = -Infinity;
  }

  private runtime(c: Campaign): CampaignRuntime<ServedCreative[]> {
    const b = this.budgets.get(c.id) ?? { remainingMicros: 0, spentTodayMicros: 0, impressions: 0, clicks: 0 };
    return {
      id: c.id,
      model: c.bidding.model,
      bidMicros: c.bidding.bidMicros,
      category: c.category,
      schedule: c.schedule,
      dailyBudgetMicros: c.budget.dailyMicros ?? null,
      spentTodayMicros: b.spentTodayMicros,
      remainingMicros: b.remainingMicros,
      ctrStats: { impressions: b.impressions, clicks: b.clicks },
      frequencyCap: c.frequencyCap ?? null,
      creative: c.creatives,
    };
  }

  /** Budget left, today's spend (in each campaign's zone) and lifetime counts: BatchGets of 100 keys. */
  private async refreshBudgets(): Promise<void> {
    const now = this.deps.clock();
    const active = [...this.runtimes.values()];
    const wanted = active.flatMap((r): { pk: string; sk: string }[] => [
      keys.campaignBudget(r.id),
      keys.campaignSpend(r.id, localDate(now, r.schedule.timezone)),
      keys.report('campaign', r.id, LIFETIME),
    ]);
    const found = await batchGetItems(this.deps.db, wanted);
    const get = (k: { pk: string; sk: string }) => found.get(itemId(k));
    let ctrMoved = false;
    for (const r of active) {
      const totals = get(keys.report('campaign', r.id, LIFETIME));
      const view: BudgetView = {
        // Not leased anywhere, plus what this instance's own lease still holds.
        remainingMicros: Number(get(keys.campaignBudget(r.id))?.remainingMicros ?? 0) + this.biller.available(r.id),
        // The day's spend counts leases as spent when claimed: less what this instance's lease has not billed.
        spentTodayMicros:
          Number(get(keys.campaignSpend(r.id, localDate(now, r.schedule.timezone)))?.spentMicros ?? 0) -
          (r.dailyBudgetMicros === null ? 0 : this.biller.available(r.id)),
        impressions: Number(totals?.impressions ?? 0),
        clicks: Number(totals?.clicks ?? 0),
      };
      this.budgets.set(r.id, view);
      if (r.model === 'cpc' && (r.ctrStats.impressions !== view.impressions || r.ctrStats.clicks !== view.clicks)) ctrMoved = true;
      r.ctrStats = { impressions: view.impressions, clicks: view.clicks };
      Ranking.setBudget(r, view, this.ranking);
    }
    // A CPC campaign's CTR statistics moved: it may rank elsewhere now (a CPM campaign's eCPM is its bid; budgets are read live).
    if (ctrMoved && this.ranking !== undefined) this.ranking = new Ranking(this.ranking.index, this.runtimes, this.options);
    this.budgetsAt = now.getTime();
  }

  /** What this instance billed shows in its view at once, before the next periodic read. */
  private spent(campaignId: string, micros: number): void {
    const view = this.budgets.get(campaignId);
    if (view !== undefined) {
      view.remainingMicros -= micros;
      view.spentTodayMicros += micros;
    }
    const r = this.runtimes.get(campaignId);
    if (r !== undefined) Ranking.setBudget(r, { remainingMicros: r.remainingMicros - micros, spentTodayMicros: r.spentTodayMicros + micros }, this.ranking);
  }

  /** The campaigns of the advertiser who runs `campaignId` (itself included). */
  advertiserCampaigns(campaignId: string): readonly string[] {
    const advertiserId = this.feed.items.get(campaignId)?.advertiserId;
    return advertiserId === undefined ? [campaignId] : (this.byAdvertiser.get(advertiserId) ?? [campaignId]);
  }

  /** An ad unit, cached AD_UNIT_CACHE_SECONDS; NotFoundError when there is none. */
  async adUnit(id: string): Promise<AdUnitRecord> {
    const now = this.deps.clock().getTime();
    let cached = this.units.get(id);
    if (cached === undefined || cached.until <= now) {
      const unit = await getAdUnit(this.deps.db, id).catch((error: unknown) => {
        if (error instanceof NotFoundError) return null;
        throw error;
      });
      cached = { unit, until: now + this.deps.config.AD_UNIT_CACHE_SECONDS * MS_PER_SECOND };
      this.units.set(id, cached);
    }
    if (cached.unit === null) throw new NotFoundError(`Ad unit ${id} not found`);
    return cached.unit;
  }
}

/** The auction, pacing and CTR settings of decisions, from the configuration. */
export function decideOptions(config: Config): DecideOptions {
  return {
    auction: { minIncrementMicros: config.AUCTION_MIN_INCREMENT_MICROS, minChargeMicros: config.AUCTION_MIN_CHARGE_MICROS },
    pacing: { lookAheadMs: config.PACING_LOOK_AHEAD_SECONDS * MS_PER_SECOND },
    ctr: CTR_OPTIONS,
    maxAuctionRounds: config.AUCTION_MAX_ROUNDS,
  };
}

/** An event's report counts: invalid ones under `invalid` and their reason. */
function countsOf(outcome: Outcome, spendMicros: number, event: TrackingEvent): Increments {
  if (INVALID.has(outcome)) return { invalid: 1, [`invalid:${outcome}`]: 1 };
  return { [event === 'i' ? 'impressions' : 'clicks']: 1, spendMicros };
}

/** Campaigns in these states never serve again: their caps no longer matter. */
const TERMINAL: ReadonlySet<Campaign['status']> = new Set(['ended', 'archived']);

const engines = new WeakMap<Db, ServeEngine>();

/** One engine per table client: it lives as long as the Lambda instance (or the test's app). */
export function serveEngine(deps: Deps): ServeEngine {
  let engine = engines.get(deps.db);
  if (engine === undefined) {
    engine = new ServeEngine(deps);
    engines.set(deps.db, engine);
  }
  return engine;
}
