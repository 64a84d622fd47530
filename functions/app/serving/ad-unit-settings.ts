import { floorChange } from '../../core/serving/floor.js';
import { generateUnitKey } from '../../core/serving/unit-access.js';
import type { Deps } from '../../deps.js';
import type { AdUnitPatch } from '../../core/marketplace/account.js';
import { marketplaceStore, type AdUnitRecord } from '../../store/marketplace.js';
import { MS_PER_HOUR } from '../../core/shared/time.js';

/**
 * An owner's changes to an ad unit's serving rules (README, "Traffic quality"):
 * - a new floor waits FLOOR_CHANGE_DELAY_HOURS as `pendingFloor` (core/serving/floor.ts);
 * - a new server key replaces the old one; the key is returned once, the unit keeps its hash.
 * Units go out without the key's hash.
 */

type UnitDeps = Pick<Deps, 'db' | 'clock' | 'ids' | 'config'>;

export type PublicAdUnit = Omit<AdUnitRecord, 'serverKeyHash' | 'allowedOrigins'> & { allowedOrigins: string[] };

export function publicAdUnit(unit: AdUnitRecord): PublicAdUnit {
  const { serverKeyHash: _hash, ...shown } = unit;
  return { ...shown, allowedOrigins: unit.allowedOrigins ?? [] };
}

export async function updateAdUnit(deps: UnitDeps, owner: string, unitId: string, patch: AdUnitPatch): Promise<PublicAdUnit> {
  const store = marketplaceStore(deps.db, deps.clock, deps.ids);
  const { floorCpmMicros, ...rest } = patch;
  const floor =
    floorCpmMicros === undefined
      ? {}
      : floorChange(await store.getAdUnit(owner, unitId), floorCpmMicros, deps.clock().getTime(), deps.config.FLOOR_CHANGE_DELAY_HOURS * MS_PER_HOUR);
  return publicAdUnit(await store.updateAdUnit(owner, unitId, { ...rest, ...floor }));
}

export async function newServerKey(deps: UnitDeps, owner: string, unitId: string): Promise<{ key: string; prefix: string }> {
  const { key, hash, prefix } = generateUnitKey();
  await marketplaceStore(deps.db, deps.clock, deps.ids).updateAdUnit(owner, unitId, { serverKeyHash: hash, serverKeyPrefix: prefix });
  return { key, prefix };
}
