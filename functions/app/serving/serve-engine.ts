import type { Campaign, ServedCreative } from '../../core/campaigns/campaign.js';
import { buildIndex, type TargetingIndex } from '../../core/serving/be-index.js';
import { INVALID, type Outcome } from '../../core/serving/billing.js';
import { decide, type CampaignRuntime, type NoAdReason } from '../../core/serving/decide.js';
import { hourKey } from '../../core/serving/reports.js';
import { trackingTokens, verifyToken, type TrackingEvent, type TrackingPayload, type TrackingRef } from '../../core/serving/tracking.js';
import { countersOf, frequencyCounts, type FrequencyCap } from '../../core/serving/frequency.js';
import { localDate, viewerContext, viewerHash, type ViewerInput } from '../../core/serving/viewer.js';
import { NotFoundError } from '../../core/shared/errors.js';
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
 * So a warm decision reads one thing: the viewer's frequency item (all its counters in one item,
 * read by key through a BatchReader, so that concurrent decisions share one BatchGetItem).
 */

export interface DecisionRequest {
  adUnitId: string;
  viewer: ViewerInput & { id: string };
  page?: { url: string; keywords?: string[] };
}

export type NoAd = NoAdReason | 'unit_disabled';

export type DecisionResponse =
  | { decisionId: string; ad: { campaignId: string; creative: ServedCreative; impressionUrl: string; clickUrl: string } }
  | { ad: null; reason: NoAd };

interface BudgetView {
  remainingMicros: number;
  spentTodayMicros: number;
  impressions: number;
  clicks: number;
}

const MS_PER_SECOND = 1000;
const MS_PER_HOUR = 3_600_000;

export class ServeEngine {
  private readonly feed: ChangeFeed<Campaign>;
  private index: TargetingIndex | undefined;
  private runtimes = new Map<string, CampaignRuntime<ServedCreative[]>>();
  private byAdvertiser = new Map<string, string[]>();
  private budgets = new Map<string, BudgetView>();
  private maxCapHours = 0;
  private readonly caps: FrequencyCaps = { capOf: () => undefined, maxPerHours: 0 };
  private readonly reader: BatchReader;
  private budgetsAt = -Infinity;
  private readonly units = new Map<string, { unit: AdUnitRecord | null; until: number }>();
  private readonly counters = new Counters();
  readonly biller: Biller;
  private flushedAt: number;
  private refreshing: Promise<void> | undefined;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(private readonly deps: Deps) {
    this.feed = new ChangeFeed<Campaign>(deps.db, 'campaigns', deps.clock);
    this.reader = new BatchReader(deps.db, deps.config.VIEWER_BATCH_WAIT_MS);
    this.biller = new Biller(deps);
    this.flushedAt = deps.clock().getTime();
    // Also when no decision comes: the last interval's counts and postings do not wait for traffic.
    this.timer = setInterval(() => void this.flush(), deps.config.COUNTER_FLUSH_MS);
    this.timer.unref();
  }

  /**
   * One decision: refresh what is due, read the unit (cached) and the viewer's frequency
   * counters, run the pure `decide`, count, and sign the tracking links. `exclude`: campaigns
   * that may not win (those already chosen for the same page).
   */
  async decide(req: DecisionRequest, exclude?: ReadonlySet<string>): Promise<DecisionResponse> {
    const hash = viewerHash(req.viewer.id);
    // Wanted only when an ad is chosen; loading it (once per instance) goes on meanwhile.
    const secret = this.deps.trackingSecret();
    secret.catch(() => undefined);
    // Independent reads go out together: on a cold instance the feed load, the unit and the
    // viewer's item overlap instead of queueing; on a warm one only the viewer's item is read.
    const readViewer = this.index === undefined || this.maxCapHours > 0;
    const [unit, , early] = await Promise.all([this.adUnit(req.adUnitId), this.refresh(), readViewer ? this.reader.get(keys.viewerFrequency(hash)) : undefined]);
    const now = this.deps.clock().getTime();
    this.count('adUnit', unit.id, now, 'requests');
    this.count('account', unit.accountId, now, 'requests');
    if (!unit.enabled) return { ad: null, reason: 'unit_disabled' };
    // A capped campaign that arrived with this refresh: read the viewer now.
    const item = readViewer || this.maxCapHours === 0 ? early : await this.reader.get(keys.viewerFrequency(hash));
    const result = decide({
      index: this.index!,
      campaigns: this.runtimes,
      adUnit: { id: unit.id, accountId: unit.accountId, accountCategory: unit.category, floorCpmMicros: unit.floorCpmMicros, blockedCategories: unit.blockedCategories },
      viewer: viewerContext(req.viewer),
      frequencyCounts: frequencyCounts(countersOf(item), (id) => this.runtimes.get(id)?.frequencyCap, now),
      now,
      random: Math.random,
      exclude,
    });
    void this.flushIfDue(now);
    if (result.ad === null) return { ad: null, reason: result.reason };
    const ad = result.ad;
    for (const [dimension, id] of [['adUnit', unit.id], ['account', unit.accountId], ['campaign', ad.campaignId]] as const) this.count(dimension, id, now, 'fills');
    const creative = ad.creative[Math.floor(Math.random() * ad.creative.length)]!;
    const campaign = this.feed.items.get(ad.campaignId)!;
    const decisionId = this.deps.ids('dec');
    const ref: TrackingRef = { accountId: unit.accountId, publisherId: unit.ownerTenantId, advertiserId: campaign.advertiserId, viewerHash: hash, landingUrl: creative.landingUrl };
    const exp = now + this.deps.config.TRACKING_TOKEN_TTL_HOURS * MS_PER_HOUR;
    const tokens = trackingTokens({ decisionId, campaignId: ad.campaignId, adUnitId: unit.id, chargeMicros: ad.chargeMicros, chargeEvent: ad.chargeEvent, ref }, await secret, exp);
    const base = this.deps.config.PUBLIC_BASE_URL ?? '';
    return { decisionId, ad: { campaignId: ad.campaignId, creative, impressionUrl: `${base}/t/i/${tokens.impression}`, clickUrl: `${base}/t/c/${tokens.click}` } };
  }

  /**
   * One tracking hit: the billing entry point (the tracking routes and the ad tags call it).
   * Whatever happens the caller answers normally (GIF, redirect); only a verified, first,
   * affordable event within its limits bills. `source` is who sent it, as the platform saw it.
   * Returns where a click goes (only from a genuine token).
   */
  async track(token: string, event: TrackingEvent, source?: BillInput['source']): Promise<{ outcome: Outcome; landingUrl?: string }> {
    const secret = await this.deps.trackingSecret();
    const now = this.deps.clock();
    const verified = verifyToken(token, secret, now);
    // An expired token is genuine: read it (as of time 0) to count it against its campaign.
    const genuine = verified.ok ? verified.payload : verified.reason === 'expired' ? (verifyToken(token, secret, 0) as { payload?: TrackingPayload }).payload : undefined;
    if (genuine?.ref === undefined || genuine.event !== event) {
      const outcome = verified.ok ? 'malformed' : verified.reason;
      this.counters.add({ dimension: 'platform', id: 'all', period: hourKey(now) }, countsOf(outcome, 0, event));
      return { outcome };
    }
    await this.refresh();
    const payload = genuine as TrackingPayload & { ref: TrackingRef };
    // Until the token carries the decision's source fingerprint (traffic-quality work), the viewer's hash stands in for it.
    const input: BillInput = { payload, campaign: this.feed.items.get(genuine.campaignId), source: source ?? { fingerprint: payload.ref.viewerHash }, caps: this.caps };
    const outcome = verified.ok ? await this.biller.bill(input) : 'expired';
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
    await Promise.all([this.biller.flush(), this.counters.flush(this.deps.db, this.deps.logger)]).catch((error: unknown) => this.deps.logger.warn('flush failed', { error }));
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
    this.refreshing ??= this.update().finally(() => (this.refreshing = undefined));
    return this.refreshing;
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
    if (changed > 0 || this.index === undefined) this.rebuild();
    if (this.deps.clock().getTime() - this.budgetsAt >= this.deps.config.BUDGET_REFRESH_SECONDS * MS_PER_SECOND) await this.refreshBudgets();
  }

  private rebuild(): void {
    const active = [...this.feed.items.values()].filter((c) => c.status === 'active' && c.creatives.length > 0);
    this.index = buildIndex(active.map((c) => ({ id: c.id, targeting: c.targeting })));
    this.maxCapHours = Math.max(0, ...active.map((c) => (c.frequencyCap ? c.frequencyCap.perHours : 0)));
    // A campaign that stopped serving (paused, ended, exhausted) gives its lease back.
    for (const c of this.feed.items.values()) if (c.status !== 'active') this.biller.retire(c.id);
    // Paused and exhausted campaigns may serve again: their counters are kept, as long as their windows.
    const caps = new Map<string, FrequencyCap | null>();
    for (const c of this.feed.items.values()) if (TERMINAL.has(c.status) || c.frequencyCap != null) caps.set(c.id, TERMINAL.has(c.status) ? null : c.frequencyCap!);
    const longest = Math.max(0, ...[...caps.values()].map((cap) => cap?.perHours ?? 0));
    Object.assign(this.caps, { capOf: (id: string) => caps.get(id), maxPerHours: longest });
    this.runtimes = new Map(active.map((c) => [c.id, this.runtime(c)]));
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
    const wanted = active.flatMap((r): { pk: string; sk: string }[] => [keys.campaignBudget(r.id), keys.campaignSpend(r.id, localDate(now, r.schedule.timezone)), keys.report('campaign', r.id, LIFETIME)]);
    const found = await batchGetItems(this.deps.db, wanted);
    const get = (k: { pk: string; sk: string }) => found.get(itemId(k));
    for (const r of active) {
      const totals = get(keys.report('campaign', r.id, LIFETIME));
      const view: BudgetView = {
        // Not leased anywhere, plus what this instance's own lease still holds.
        remainingMicros: Number(get(keys.campaignBudget(r.id))?.remainingMicros ?? 0) + this.biller.available(r.id),
        // The day's spend counts leases as spent when claimed: less what this instance's lease has not billed.
        spentTodayMicros: Number(get(keys.campaignSpend(r.id, localDate(now, r.schedule.timezone)))?.spentMicros ?? 0) - (r.dailyBudgetMicros === null ? 0 : this.biller.available(r.id)),
        impressions: Number(totals?.impressions ?? 0),
        clicks: Number(totals?.clicks ?? 0),
      };
      this.budgets.set(r.id, view);
      Object.assign(r, { remainingMicros: view.remainingMicros, spentTodayMicros: view.spentTodayMicros, ctrStats: { impressions: view.impressions, clicks: view.clicks } });
    }
    this.budgetsAt = now.getTime();
  }

  /** What this instance billed shows in its view at once, before the next periodic read. */
  private spent(campaignId: string, micros: number): void {
    for (const view of [this.runtimes.get(campaignId), this.budgets.get(campaignId)]) {
      if (view === undefined) continue;
      view.remainingMicros -= micros;
      view.spentTodayMicros += micros;
    }
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
  if (engine === undefined) engines.set(deps.db, (engine = new ServeEngine(deps)));
  return engine;
}
