import type { Deps } from '../deps.js';

/** A scheduled job: does what is due at `now` and says how many objects it handled. */
export interface Job {
  name: string;
  run(deps: Deps, now: Date): Promise<number>;
}
