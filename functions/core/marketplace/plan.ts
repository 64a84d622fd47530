import { cptrMicros, type RankedSlot } from './matching.js';

/**
 * Plan builder: the set of slots that maximises total targeted reach within a budget, with at
 * most one slot per account per day (two posts on one day reach largely the same readers).
 * That is a multiple-choice knapsack (MCKP): groups = (account, date), weight = price,
 * value = targeted reach. It is NP-hard in general, so the solver tries, in order:
 *
 * 1. **Everything fits** — if the best-reach slot of every group fits together, that set is
 *    optimal. Exact.
 * 2. **Exact dynamic programming**, when its table is small enough (`workLimit` cells):
 *    - over cost, in units of the GCD of the prices (fast when prices are round numbers), or
 *    - over reach in whole reads (fast when reach is small).
 *    Both return a true optimum; among optimal sets the cheapest.
 * 3. **FPTAS** otherwise: the same reach DP over reach scaled down by a factor K ≥ 1
 *    (v' = ⌊v/K⌋). With m' the most slots any feasible plan can hold, the DP answer A satisfies
 *    reach(A) ≥ OPT − K·m' (each chosen slot loses < K to the rounding, and A is optimal for
 *    the scaled values). K is chosen so the table fits `workLimit`, but never so large that
 *    K·m' exceeds `maxEpsilon` × LB, where LB ≥ OPT/2 is the greedy bound below: so the
 *    a-priori guarantee is reach ≥ (1 − maxEpsilon) × OPT. Leftover budget is then spent by a
 *    greedy upgrade pass, which can only add reach.
 *
 * Bounds used throughout: the LP relaxation of MCKP (greedy over the upper convex hull of each
 * group, by incremental reach per micro) gives UB ≥ OPT; its integer part plus the best single
 * slot gives LB with LB ≥ UB/2 ≥ OPT/2. Whenever a found plan reaches ⌊UB⌋ it is certified
 * optimal and reported as exact. An approximate plan carries `bound`: the proven per-instance
 * ratio reach / min(⌊UB⌋, reach_DP + K·m') — the plan's reach is at least `ratio` × optimum,
 * and the optimum is at most `upperBoundReach`.
 *
 * Cost: O(n log n) plus the DP table, at most about `workLimit` cell updates when that meets
 * `maxEpsilon`; the FPTAS may go up to `maxWork` to keep its guarantee, and never past it: the
 * scale is then coarser, and the plan keeps the per-instance bound it can prove. Every DP row
 * and upgrade pass is metered against `maxWork` and, when given, `timeLimit`; a solver that
 * runs out answers with the greedy plan (LB ≥ UB/2), reported as approximate with its bound.
 */

/** The plan's bounds, from the config (MATCH_PLAN_*): see functions/app/marketplace/match-slots.ts. */
export interface PlanOptions {
  /** Cell updates a DP may use before the solver falls back to a coarser scale. */
  workLimit: number;
  /** Worst relative loss the FPTAS aims for, up to `maxWork`. */
  maxEpsilon: number;
  /** Cell updates (DP cells, upgrade candidates) one plan may use in all; past it, the greedy plan. */
  maxWork: number;
  /** Wall-time bound: the caller's stopwatch (core reads no clock) and its limit. */
  timeLimit?: { ms: number; elapsedMs: () => number };
}

/** Thrown by the meter when a plan has used its work or time; caught by the solver. */
class PlanBudgetSpent extends Error {}

type Meter = (work: number) => void;

function meter(options: PlanOptions): Meter {
  let used = 0;
  return (work) => {
    used += work;
    if (used > options.maxWork || (options.timeLimit && options.timeLimit.elapsedMs() > options.timeLimit.ms)) throw new PlanBudgetSpent();
  };
}

/** Slack when turning the float LP optimum into an integer upper bound on reach. */
const LP_FLOOR_SLACK = 1e-3;

export interface KnapsackItem {
  /** Items with the same group are mutually exclusive. */
  group: string;
  costMicros: number;
  reach: number;
}

export interface PlanBound {
  /** Proven for this instance: plan reach ≥ ratio × optimal reach. */
  ratio: number;
  /** Proven for this instance: optimal reach ≤ this. */
  upperBoundReach: number;
}

export interface KnapsackSolution {
  /** Indexes into the input items, ascending. */
  chosen: number[];
  method: 'exact' | 'approximate';
  bound?: PlanBound;
}

export interface PlanTotals {
  costMicros: number;
  targetedReach: number;
  /** Total cost per thousand total targeted reads; null for an empty plan. */
  averageCptrMicros: number | null;
}

export interface Plan {
  budgetMicros: number;
  /** Chosen slots, by date, then account, then slot id. */
  slots: RankedSlot[];
  totals: PlanTotals;
  method: 'exact' | 'approximate';
  bound?: PlanBound;
}

/** Builds the reach-maximising plan from scored slots (see the module docblock). */
export function buildPlan(ranked: readonly RankedSlot[], budgetMicros: number, options: PlanOptions): Plan {
  const items = ranked.map((r) => ({
    group: `${r.account.id}\u0000${r.slot.publishDate}`,
    costMicros: r.slot.priceMicros,
    reach: r.targetedReach,
  }));
  const solution = solveMultipleChoiceKnapsack(items, budgetMicros, options);
  const slots = solution.chosen
    .map((i) => ranked[i])
    .filter((r): r is RankedSlot => r !== undefined)
    .sort((a, b) => cmp(a.slot.publishDate, b.slot.publishDate) || cmp(a.account.id, b.account.id) || cmp(a.slot.id, b.slot.id));
  const costMicros = slots.reduce((s, r) => s + r.slot.priceMicros, 0);
  const reach = slots.reduce((s, r) => s + r.targetedReach, 0);
  const plan: Plan = {
    budgetMicros,
    slots,
    totals: { costMicros, targetedReach: reach, averageCptrMicros: cptrMicros(costMicros, reach) },
    method: solution.method,
  };
  if (solution.bound) plan.bound = solution.bound;
  return plan;
}

interface Option {
  index: number;
  cost: number;
  reach: number;
}

interface Group {
  /** Non-dominated options: cost and reach both strictly increasing. */
  options: Option[];
}

/**
 * Multiple-choice knapsack: choose at most one item per group, total cost ≤ budget, maximum
 * total reach. Items must have integer costs ≥ 0 and integer reach; items with reach ≤ 0 or
 * cost above the budget are never chosen.
 */
export function solveMultipleChoiceKnapsack(items: readonly KnapsackItem[], budgetMicros: number, options: PlanOptions): KnapsackSolution {
  const groups = buildGroups(items, budgetMicros);
  if (groups.length === 0) return { chosen: [], method: 'exact' };

  // 1. Everything fits.
  const tops = groups.map((g) => g.options[g.options.length - 1]!);
  if (sum(tops.map((o) => o.cost)) <= budgetMicros) {
    return { chosen: sortedIndexes(tops), method: 'exact' };
  }

  const relaxation = lpRelaxation(groups, budgetMicros);
  const upperBound = Math.floor(relaxation.value + LP_FLOOR_SLACK);
  try {
    return solveByDp(groups, budgetMicros, relaxation, upperBound, options);
  } catch (error) {
    if (!(error instanceof PlanBudgetSpent)) throw error;
    const greedy = relaxation.greedyReach >= relaxation.bestSingleReach ? relaxation.greedyPicks : relaxation.bestSinglePick;
    return certified(greedy, upperBound);
  }
}

/** A plan with the bound it provably meets: exact when it reaches the upper bound. */
function certified(picks: readonly Option[], optimumBound: number): KnapsackSolution {
  const reach = totalReach(picks);
  if (reach >= optimumBound) return { chosen: sortedIndexes(picks), method: 'exact' };
  return { chosen: sortedIndexes(picks), method: 'approximate', bound: { ratio: reach / optimumBound, upperBoundReach: optimumBound } };
}

/** Steps 2 and 3 of the module docblock; throws PlanBudgetSpent past the work or time limit. */
function solveByDp(groups: readonly Group[], budgetMicros: number, relaxation: Relaxation, upperBound: number, options: PlanOptions): KnapsackSolution {
  const spend = meter(options);
  const n = sum(groups.map((g) => g.options.length));

  // 2. Exact DPs, whichever table is smaller.
  const unit = groups.reduce((g, grp) => grp.options.reduce((acc, o) => gcd(acc, o.cost), g), 0);
  const costWork = unit > 0 ? n * (Math.floor(budgetMicros / unit) + 1) : Infinity;
  const reachWork = n * (upperBound + 1);
  if (Math.min(costWork, reachWork) <= options.workLimit) {
    const picks = costWork <= reachWork ? costDp(groups, budgetMicros, unit, spend) : reachDp(groups, budgetMicros, 1, upperBound, spend);
    return { chosen: sortedIndexes(picks), method: 'exact' };
  }

  // 3. FPTAS over scaled reach.
  const lowerBound = Math.max(relaxation.greedyReach, relaxation.bestSingleReach);
  const maxItems = maxFeasibleCount(groups, budgetMicros);
  const scaleForWork = (n * upperBound) / options.workLimit;
  const scaleForEpsilon = (options.maxEpsilon * lowerBound) / maxItems;
  const scaleForMaxWork = (n * upperBound) / options.maxWork;
  const scale = Math.max(1, Math.min(scaleForWork, scaleForEpsilon), scaleForMaxWork);
  const dpPicks = reachDp(groups, budgetMicros, scale, upperBound, spend);
  const dpReach = sum(dpPicks.map((o) => o.reach));
  const improved = spendLeftover(groups, dpPicks, budgetMicros, spend);
  const greedy = relaxation.greedyReach >= relaxation.bestSingleReach ? relaxation.greedyPicks : relaxation.bestSinglePick;
  const best = totalReach(improved) >= totalReach(greedy) ? improved : greedy;
  return certified(best, scale === 1 ? dpReach : Math.min(upperBound, Math.floor(dpReach + scale * maxItems)));
}

function buildGroups(items: readonly KnapsackItem[], budget: number): Group[] {
  const byKey = new Map<string, Option[]>();
  items.forEach((item, index) => {
    if (!(item.reach > 0) || !(item.costMicros >= 0) || item.costMicros > budget) return;
    const list = byKey.get(item.group) ?? [];
    list.push({ index, cost: item.costMicros, reach: item.reach });
    byKey.set(item.group, list);
  });
  const keys = [...byKey.keys()].sort(cmp);
  return keys.map((key) => {
    const list = (byKey.get(key) ?? []).sort((a, b) => a.cost - b.cost || b.reach - a.reach || a.index - b.index);
    // Keep an option only if it reaches more than every cheaper one: the others can never
    // be part of a better plan than the one that swaps them for the cheaper option.
    const kept: Option[] = [];
    for (const o of list) {
      const last = kept[kept.length - 1];
      if (!last || o.reach > last.reach) kept.push(o);
    }
    return { options: kept };
  });
}

interface Relaxation {
  value: number;
  greedyPicks: Option[];
  greedyReach: number;
  bestSinglePick: Option[];
  bestSingleReach: number;
}

/**
 * LP relaxation of MCKP (Sinha & Zoltners): per group, the upper convex hull of
 * {(0,0)} ∪ options; take hull segments in order of decreasing reach per micro until one does
 * not fit, and that one fractionally. The greedy integer plan keeps the whole segments and
 * then goes on with any later segment that still fits.
 */
function lpRelaxation(groups: readonly Group[], budget: number): Relaxation {
  interface Segment {
    group: number;
    to: Option;
    from: Option | undefined;
    dc: number;
    dv: number;
    slope: number;
  }
  const segments: Segment[] = [];
  groups.forEach((g, gi) => {
    const hull: Array<Option | undefined> = [undefined];
    const pt = (o: Option | undefined): [bigint, bigint] => (o ? [BigInt(o.cost), BigInt(o.reach)] : [0n, 0n]);
    for (const o of g.options) {
      while (hull.length >= 2) {
        const [ac, ar] = pt(hull[hull.length - 2]);
        const [bc, br] = pt(hull[hull.length - 1]);
        const [pc, pr] = pt(o);
        // Drop b when it lies on or under the chord a→p (exact integer cross product).
        if ((bc - ac) * (pr - ar) - (br - ar) * (pc - ac) >= 0n) hull.pop();
        else break;
      }
      hull.push(o);
    }
    for (let i = 1; i < hull.length; i++) {
      const from = hull[i - 1];
      const to = hull[i]!;
      const dc = to.cost - (from?.cost ?? 0);
      const dv = to.reach - (from?.reach ?? 0);
      segments.push({ group: gi, from, to, dc, dv, slope: dc === 0 ? Infinity : dv / dc });
    }
  });
  // Slopes fall along each hull, so a stable sort keeps each group's segments in order.
  segments.sort((a, b) => b.slope - a.slope || a.group - b.group);

  const current: Array<Option | undefined> = groups.map(() => undefined);
  let remaining = budget;
  let value = 0;
  let split = false;
  for (const s of segments) {
    if (s.dc <= remaining && current[s.group] === s.from) {
      remaining -= s.dc;
      current[s.group] = s.to;
      if (!split) value += s.dv;
    } else if (!split) {
      value += (s.dv * remaining) / s.dc;
      split = true;
    }
  }
  const greedyPicks = current.filter((o): o is Option => o !== undefined);
  let bestSingle: Option | undefined;
  for (const g of groups) {
    const top = g.options[g.options.length - 1];
    if (top && (!bestSingle || top.reach > bestSingle.reach)) bestSingle = top;
  }
  return {
    value,
    greedyPicks,
    greedyReach: totalReach(greedyPicks),
    bestSinglePick: bestSingle ? [bestSingle] : [],
    bestSingleReach: bestSingle?.reach ?? 0,
  };
}

/** The most groups any feasible plan can use: the cheapest option of each, cheapest first. */
function maxFeasibleCount(groups: readonly Group[], budget: number): number {
  const cheapest = groups.map((g) => g.options[0]!.cost).sort((a, b) => a - b);
  let spent = 0;
  let count = 0;
  for (const c of cheapest) {
    if (spent + c > budget) break;
    spent += c;
    count++;
  }
  return Math.max(1, count);
}

/** Exact DP over cost in units of `unit` (the GCD of all costs): max reach per capacity. */
function costDp(groups: readonly Group[], budget: number, unit: number, spend: Meter): Option[] {
  const capacity = Math.floor(budget / unit);
  const best = new Float64Array(capacity + 1);
  const choices: Array<Uint8Array | Uint16Array> = [];
  const wide = groups.some((g) => g.options.length >= 255);
  for (const g of groups) {
    spend((capacity + 1) * g.options.length);
    const choice = wide ? new Uint16Array(capacity + 1) : new Uint8Array(capacity + 1);
    const weights = g.options.map((o) => o.cost / unit);
    for (let u = capacity; u >= 0; u--) {
      let value = best[u]!;
      let pick = 0;
      for (let i = 0; i < weights.length; i++) {
        const w = weights[i]!;
        if (w > u) break; // options are sorted by cost
        const candidate = best[u - w]! + g.options[i]!.reach;
        if (candidate > value) {
          value = candidate;
          pick = i + 1;
        }
      }
      best[u] = value;
      choice[u] = pick;
    }
    choices.push(choice);
  }
  // The smallest capacity that already reaches the optimum gives the cheapest optimal plan.
  const optimum = best[capacity]!;
  let u = capacity;
  while (u > 0 && best[u - 1]! === optimum) u--;
  const picks: Option[] = [];
  for (let gi = groups.length - 1; gi >= 0; gi--) {
    const pick = choices[gi]![u] ?? 0;
    if (pick === 0) continue;
    const o = groups[gi]!.options[pick - 1]!;
    picks.push(o);
    u -= o.cost / unit;
  }
  return picks;
}

/**
 * DP over reach scaled by `scale` (1 = exact): minimum cost for each scaled reach, bounded by
 * `upperBound` (no feasible plan exceeds it). Returns the plan of highest scaled reach that
 * fits, and the cheapest such.
 */
function reachDp(groups: readonly Group[], budget: number, scale: number, upperBound: number, spend: Meter): Option[] {
  const scaled = groups.map((g) => g.options.map((o) => ({ o, v: Math.floor(o.reach / scale) })).filter((x) => x.v > 0));
  const maxValue = Math.floor(upperBound / scale);
  const cost = new Float64Array(maxValue + 1).fill(Infinity);
  cost[0] = 0;
  const wide = groups.some((g) => g.options.length >= 255);
  const choices: Array<Uint8Array | Uint16Array> = [];
  const caps: number[] = [];
  let cap = 0;
  for (const options of scaled) {
    cap = Math.min(maxValue, cap + Math.max(0, ...options.map((x) => x.v)));
    caps.push(cap);
    spend((cap + 1) * options.length);
    const choice = wide ? new Uint16Array(cap + 1) : new Uint8Array(cap + 1);
    for (let v = cap; v >= 1; v--) {
      let best = cost[v]!;
      let pick = 0;
      for (let i = 0; i < options.length; i++) {
        const x = options[i]!;
        if (x.v > v) continue;
        const c = cost[v - x.v]! + x.o.cost;
        if (c < best && c <= budget) {
          best = c;
          pick = i + 1;
        }
      }
      cost[v] = best;
      choice[v] = pick;
    }
    choices.push(choice);
  }
  let v = cap;
  while (v > 0 && !(cost[v]! <= budget)) v--;
  const picks: Option[] = [];
  for (let gi = scaled.length - 1; gi >= 0 && v > 0; gi--) {
    const pick = choices[gi]![v] ?? 0;
    if (pick === 0) continue;
    const x = scaled[gi]![pick - 1]!;
    picks.push(x.o);
    v -= x.v;
  }
  return picks;
}

/** Spends what the budget has left on the upgrades that add the most reach, one at a time. */
function spendLeftover(groups: readonly Group[], picks: readonly Option[], budget: number, spend: Meter): Option[] {
  const chosen = new Map<Option, number>();
  for (const [gi, g] of groups.entries()) for (const o of g.options) chosen.set(o, gi);
  const current: Array<Option | undefined> = groups.map(() => undefined);
  for (const p of picks) current[chosen.get(p)!] = p;
  let remaining = budget - totalCost(picks);
  const n = sum(groups.map((g) => g.options.length));
  for (;;) {
    // Out of work or time: stop upgrading; what was chosen so far fits and only gained reach.
    try {
      spend(n);
    } catch (error) {
      if (error instanceof PlanBudgetSpent) break;
      throw error;
    }
    let bestGain = 0;
    let bestMove: { gi: number; o: Option } | undefined;
    groups.forEach((g, gi) => {
      const cur = current[gi];
      for (const o of g.options) {
        const gain = o.reach - (cur?.reach ?? 0);
        const extra = o.cost - (cur?.cost ?? 0);
        if (gain > bestGain && extra <= remaining) {
          bestGain = gain;
          bestMove = { gi, o };
        }
      }
    });
    if (!bestMove) break;
    const move: { gi: number; o: Option } = bestMove;
    remaining -= move.o.cost - (current[move.gi]?.cost ?? 0);
    current[move.gi] = move.o;
  }
  return current.filter((o): o is Option => o !== undefined);
}

function totalReach(picks: readonly Option[]): number {
  return sum(picks.map((o) => o.reach));
}

function totalCost(picks: readonly Option[]): number {
  return sum(picks.map((o) => o.cost));
}

function sortedIndexes(picks: readonly Option[]): number[] {
  return picks.map((o) => o.index).sort((a, b) => a - b);
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
