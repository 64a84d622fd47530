/** Time comes into core as an argument, so tests can drive it. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** A clock that only moves when told to: for tests and simulations. */
export function fixedClock(start: Date): Clock & { advance(ms: number): void; set(d: Date): void } {
  let now = start.getTime();
  const clock = (() => new Date(now)) as Clock & { advance(ms: number): void; set(d: Date): void };
  clock.advance = (ms: number) => {
    now += ms;
  };
  clock.set = (d: Date) => {
    now = d.getTime();
  };
  return clock;
}
