/**
 * Floor changes take effect after a delay (DESIGN §9, no public oracle): were a new floor live at
 * once, a unit's owner could raise it step by step and watch where ads stop, reading the best
 * bid to within a step in a few minutes. With FLOOR_CHANGE_DELAY_HOURS (default 24 h) each probe
 * costs a day. A unit's first floor, set at creation, applies at once; a later one waits as
 * `pendingFloor` and the serve path applies it when its time comes (no job needed).
 */

export interface PendingFloor {
  floorCpmMicros: number;
  /** ISO 8601: from when the new floor applies. */
  effectiveAt: string;
}

export interface FlooredUnit {
  floorCpmMicros: number;
  pendingFloor?: PendingFloor | null;
}

/** The floor in force at `now` (epoch ms). */
export function effectiveFloor(unit: FlooredUnit, now: number): number {
  const pending = unit.pendingFloor;
  return pending != null && Date.parse(pending.effectiveAt) <= now ? pending.floorCpmMicros : unit.floorCpmMicros;
}

/**
 * What a requested floor changes on a unit: the floor in force now is kept, the new one waits.
 * Asking for the floor in force again cancels a pending change.
 */
export function floorChange(unit: FlooredUnit, requested: number, now: number, delayMs: number): { floorCpmMicros: number; pendingFloor: PendingFloor | null } {
  const current = effectiveFloor(unit, now);
  if (requested === current) return { floorCpmMicros: current, pendingFloor: null };
  if (delayMs === 0) return { floorCpmMicros: requested, pendingFloor: null };
  return { floorCpmMicros: current, pendingFloor: { floorCpmMicros: requested, effectiveAt: new Date(now + delayMs).toISOString() } };
}
