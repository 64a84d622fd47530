/**
 * Wraps an async job so that calls never overlap and each call's promise settles only after a
 * run that started after the call (so "flush, then read" sees everything written before the
 * flush); calls made while a run is in progress share one follow-up run.
 */
export function coalesced(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const call = (): Promise<void> => {
    if (running === undefined) {
      running = run().finally(() => {
        running = undefined;
      });
      return running;
    }
    const again = (): Promise<void> => {
      queued = undefined;
      return call();
    };
    queued ??= running.then(again, again);
    return queued;
  };
  return call;
}
