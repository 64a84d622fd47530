/**
 * Targeting for programmatic serving: a boolean expression in disjunctive normal form over
 * viewer and page attributes, with ∈ (`in`) and ∉ (`not_in`) predicates.
 *
 * Semantics, which the index in be-index.ts must reproduce exactly:
 * - A context may lack an attribute or carry several values for it (a viewer has several
 *   interests). `in` holds iff the context has at least one of the values; `not_in` holds iff it
 *   has none of them. So a missing attribute satisfies every `not_in` and fails every `in`,
 *   and an `in` with no values can never hold.
 * - A conjunction holds iff all its predicates hold; an empty conjunction always holds.
 * - A targeting holds iff any conjunction holds. An empty targeting is "no restriction" and
 *   matches everything (not the logical empty disjunction, which would match nothing): that is
 *   what an advertiser who targets nothing means.
 */

export const ATTRIBUTES = ['region', 'gender', 'ageBand', 'interest', 'device', 'os', 'accountCategory', 'accountId', 'adUnitId'] as const;

export type Attribute = (typeof ATTRIBUTES)[number];

export type PredicateOp = 'in' | 'not_in';

export interface Predicate {
  attribute: Attribute;
  op: PredicateOp;
  values: readonly string[];
}

export type Conjunction = readonly Predicate[];

/** A disjunction of conjunctions; `[]` matches every context. */
export type Targeting = readonly Conjunction[];

/** What is known about the viewer and the page: missing and multi-valued attributes allowed. */
export type TargetingContext = Partial<Record<Attribute, readonly string[]>>;

export function evaluatePredicate(predicate: Predicate, ctx: TargetingContext): boolean {
  const have = ctx[predicate.attribute];
  let any = false;
  if (have !== undefined && have.length > 0) {
    for (const value of predicate.values) {
      if (have.includes(value)) {
        any = true;
        break;
      }
    }
  }
  return predicate.op === 'in' ? any : !any;
}

export function evaluateConjunction(conjunction: Conjunction, ctx: TargetingContext): boolean {
  for (const predicate of conjunction) if (!evaluatePredicate(predicate, ctx)) return false;
  return true;
}

/** Brute-force evaluation: the reference the index is tested against, and the scan baseline. */
export function evaluate(targeting: Targeting, ctx: TargetingContext): boolean {
  if (targeting.length === 0) return true;
  for (const conjunction of targeting) if (evaluateConjunction(conjunction, ctx)) return true;
  return false;
}
