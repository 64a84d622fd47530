import { fundedAdvertiser, must, publisherWithInventory, type World } from './world.js';

const REGIONS = ['CN-SH', 'CN-BJ', 'CN-GD', 'CN-ZJ', 'CN-JS', 'CN-SC'];
const DEVICES = ['mobile', 'desktop', 'tablet'];
const INTERESTS = ['technology', 'ai', 'gadgets', 'travel', 'investing'];

export interface ServingWorld {
  units: string[];
  campaigns: string[];
  /** Who owns each unit (its account and publisher), and who runs each campaign: what a decision's tracking links carry. */
  unitOwners: Map<string, { accountId: string; publisherId: string }>;
  advertiserOf: Map<string, string>;
  advertiserKeys: string[];
  publisherKey: string;
}

/** A viewer a page might send: a few attributes, some missing, from the same value sets campaigns target. */
export function aViewer(n: number): { id: string; region: string; device: string; interests: string[]; gender: string } {
  return {
    id: `viewer-${n}`,
    region: REGIONS[n % REGIONS.length] ?? 'CN-SH',
    device: DEVICES[n % DEVICES.length] ?? 'mobile',
    interests: [INTERESTS[n % INTERESTS.length] ?? 'ai'],
    gender: n % 2 === 0 ? 'female' : 'male',
  };
}

/**
 * Active campaigns from several advertisers, built through the API as a customer would: create,
 * add a creative, have the operator approve it, activate (which holds the budget). Targeting
 * spreads over regions and devices so that most viewers match several campaigns.
 */
export async function seedServing(
  world: World,
  options: {
    campaigns: number;
    units: number;
    budgetMicros: number;
    bidMicros: number;
    model?: 'cpm' | 'cpc';
    frequencyCap?: { impressions: number; perHours: number };
    ownUnitsOnly?: boolean;
    /** Campaigns that target no one in particular (pages that send only a viewer id, as the tag does). */
    everyone?: boolean;
    /** Publishers, each with `units` units (1 by default). */
    publishers?: number;
  },
): Promise<ServingWorld> {
  const inventories = [];
  for (let p = 0; p < (options.publishers ?? 1); p++)
    inventories.push(await publisherWithInventory(world, { slots: 0, units: options.units, priceMicros: 1, floorCpmMicros: 100_000 }));
  const inventory = inventories[0]!;
  const advertisers = await Promise.all(
    Array.from({ length: Math.min(10, options.campaigns) }, () => fundedAdvertiser(world, options.budgetMicros * options.campaigns)),
  );
  const unitOwners = new Map(
    inventories.flatMap((i) => i.units.map((u) => [u.id, { accountId: i.account.id as string, publisherId: i.publisher.id }] as const)),
  );
  const advertiserOf = new Map<string, string>();
  const unitIds = [...unitOwners.keys()];
  const now = Date.now();
  const campaigns: string[] = [];
  for (let i = 0; i < options.campaigns; i++) {
    const advertiser = advertisers[i % advertisers.length]!;
    const campaign = await must(world, 'POST', '/v1/campaigns', advertiser.key, {
      name: `Bench campaign ${i}`,
      category: 'tech',
      bidding: { model: options.model ?? 'cpm', bidMicros: options.bidMicros + (i % 17) * 1_000 },
      budget: { totalMicros: options.budgetMicros },
      schedule: { start: new Date(now - 3_600_000).toISOString(), end: new Date(now + 30 * 86_400_000).toISOString(), timezone: 'Asia/Shanghai' },
      targeting: options.everyone
        ? []
        : [
            [
              { attribute: 'region', op: 'in', values: [REGIONS[i % REGIONS.length], REGIONS[(i + 1) % REGIONS.length]] },
              { attribute: 'device', op: 'in', values: [DEVICES[i % DEVICES.length], DEVICES[(i + 2) % DEVICES.length]] },
            ],
            [
              { attribute: 'interest', op: 'in', values: [INTERESTS[i % INTERESTS.length]] },
              { attribute: 'gender', op: 'not_in', values: [i % 3 === 0 ? 'male' : 'unknown'] },
            ],
          ].map((conjunction) => (options.ownUnitsOnly ? [...conjunction, { attribute: 'adUnitId', op: 'in', values: unitIds }] : conjunction)),
      ...(options.frequencyCap ? { frequencyCap: options.frequencyCap } : {}),
    });
    const creative = await must(world, 'POST', `/v1/campaigns/${campaign.id}/creatives`, advertiser.key, {
      title: `Offer ${i}`,
      body: 'A benchmark creative',
      imageUrl: 'https://cdn.example.com/ad.png',
      landingUrl: `https://shop.example.com/c/${i}`,
      callToAction: 'Shop now',
    });
    await must(world, 'POST', `/v1/admin/creatives/${creative.id}/approve`, world.adminKey, {});
    await must(world, 'POST', `/v1/campaigns/${campaign.id}/activate`, advertiser.key, {});
    campaigns.push(campaign.id);
    advertiserOf.set(campaign.id, advertiser.id);
  }
  return { units: unitIds, campaigns, unitOwners, advertiserOf, advertiserKeys: advertisers.map((a) => a.key), publisherKey: inventory.publisher.key };
}
