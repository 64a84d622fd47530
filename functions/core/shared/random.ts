/** A source of uniform numbers in [0, 1): injected into core so tests and simulations are repeatable. */
export type Random = () => number;

/** A small, fast, seedable PRNG (mulberry32): for demo data, simulations and benchmarks, never for secrets. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
