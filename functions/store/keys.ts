/**
 * Key builders: every item's pk/sk (and gsi keys) are made here, with labelled, prefixed parts.
 */
export interface Key {
  pk: string;
  sk: string;
}

export const keys = {
  tenant: (tenantId: string): Key => ({ pk: `TENANT#${tenantId}`, sk: 'TENANT' }),
  email: (email: string): Key => ({ pk: `EMAIL#${email.toLowerCase()}`, sk: 'EMAIL' }),
  apiKeyByHash: (hash: string): Key => ({ pk: `APIKEY#${hash}`, sk: 'APIKEY' }),
  tenantApiKey: (tenantId: string, keyId: string): Key => ({ pk: `TENANT#${tenantId}`, sk: `KEY#${keyId}` }),
  tenantApiKeyPrefix: (tenantId: string): Key => ({ pk: `TENANT#${tenantId}`, sk: 'KEY#' }),
  // People (issue 12): a person (on the tenant's gsi1 list), the login item that makes emails unique and finds the
  // person, the person's sessions beside them (read with the person in one BatchGetItem), invites and password
  // resets by the hash of their secret, sign-in attempt counters per (account or address hash, window).
  person: (personId: string): Key => ({ pk: `PERSON#${personId}`, sk: 'PERSON' }),
  tenantPeople: (tenantId: string): string => `TENANT#${tenantId}#PEOPLE`,
  login: (email: string): Key => ({ pk: `LOGIN#${email.toLowerCase()}`, sk: 'LOGIN' }),
  session: (personId: string, hash: string): Key => ({ pk: `PERSON#${personId}`, sk: `SESSION#${hash}` }),
  invite: (hash: string): Key => ({ pk: `INVITE#${hash}`, sk: 'INVITE' }),
  passwordReset: (hash: string): Key => ({ pk: `RESET#${hash}`, sk: 'RESET' }),
  signInAttempts: (scope: 'account' | 'address', hash: string, windowStart: number): Key => ({ pk: `SIGNIN#${scope}#${hash}`, sk: String(windowStart) }),
  /** An operator queue on gsi3 (accounts awaiting verification, creatives awaiting review), oldest first. */
  queue: (name: 'accounts' | 'creatives'): string => `QUEUE#${name}`,
  queueEntry: (waitingSince: string, id: string): string => `${waitingSince}#${id}`,
  idempotency: (scope: string, key: string): Key => ({ pk: `IDEM#${scope}#${key}`, sk: 'IDEM' }),
  deposit: (depositId: string): Key => ({ pk: `DEPOSIT#${depositId}`, sk: 'DEPOSIT' }),
  deposits: (): string => 'DEPOSITS',
  balance: (account: string): Key => ({ pk: `BAL#${account}`, sk: 'BAL' }),
  /** Ledger lines of one owner (a tenant id, or `platform`), sorted by transaction id (time-ordered). */
  ledgerLine: (owner: string, txnId: string): Key => ({ pk: `LEDGER#${owner}`, sk: txnId }),
  ledgerOwner: (owner: string): string => `LEDGER#${owner}`,
  jobsHeartbeat: (): Key => ({ pk: 'SYSTEM', sk: 'JOBS' }),
  stats: (): Key => ({ pk: 'SYSTEM', sk: 'STATS' }),
  /** A change feed on gsi2 (change-feed.ts), by time of change. */
  feed: (name: string): string => `FEED#${name}`,
  // Marketplace (issue 3): accounts, slots (by id, plus a guard item that makes account + date + position unique), ad units.
  account: (accountId: string): Key => ({ pk: `ACCOUNT#${accountId}`, sk: 'ACCOUNT' }),
  tenantAccounts: (tenantId: string): string => `TENANT#${tenantId}#ACCOUNTS`,
  slot: (slotId: string): Key => ({ pk: `SLOT#${slotId}`, sk: 'SLOT' }),
  slotAt: (accountId: string, publishDate: string, position: string): Key => ({ pk: `ACCOUNT#${accountId}`, sk: `SLOTAT#${publishDate}#${position}` }),
  accountSlots: (accountId: string): string => `ACCOUNT#${accountId}#SLOTS`,
  adUnit: (unitId: string): Key => ({ pk: `UNIT#${unitId}`, sk: 'UNIT' }),
  accountAdUnits: (accountId: string): string => `ACCOUNT#${accountId}#UNITS`,
  // Orders (issue 4): the order (on the advertiser's gsi1 list), the publisher's pointer (on theirs), the deadline index, the operator's dispute queue.
  order: (orderId: string): Key => ({ pk: `ORDER#${orderId}`, sk: 'ORDER' }),
  tenantOrders: (tenantId: string): string => `TENANT#${tenantId}#ORDERS`,
  orderRef: (publisherId: string, orderId: string): Key => ({ pk: `TENANT#${publisherId}`, sk: `ORDER#${orderId}` }),
  ordersDue: (): string => 'ORDERS#DUE',
  orderDue: (dueAt: string, orderId: string): Key => ({ pk: 'ORDERS#DUE', sk: `${dueAt}#${orderId}` }),
  disputedOrders: (): string => 'ORDERS#DISPUTED',
  disputedOrder: (orderId: string): Key => ({ pk: 'ORDERS#DISPUTED', sk: orderId }),
  // Money and webhooks (issue 4): payouts (on the publisher's gsi1 list) and the operator's queue by status;
  // webhooks (on the tenant's gsi1 list) with a per-tenant counter; deliveries under their webhook, a guard
  // item per (item version, webhook, event) so a replayed stream record sends nothing twice, and the due index.
  payout: (payoutId: string): Key => ({ pk: `PAYOUT#${payoutId}`, sk: 'PAYOUT' }),
  tenantPayouts: (tenantId: string): string => `TENANT#${tenantId}#PAYOUTS`,
  payoutQueue: (status: string): string => `PAYOUTS#${status.toUpperCase()}`,
  payoutQueueEntry: (status: string, payoutId: string): Key => ({ pk: `PAYOUTS#${status.toUpperCase()}`, sk: payoutId }),
  webhook: (webhookId: string): Key => ({ pk: `WEBHOOK#${webhookId}`, sk: 'WEBHOOK' }),
  tenantWebhooks: (tenantId: string): string => `TENANT#${tenantId}#WEBHOOKS`,
  webhookCount: (tenantId: string): Key => ({ pk: `TENANT#${tenantId}`, sk: 'WEBHOOKS' }),
  delivery: (webhookId: string, deliveryId: string): Key => ({ pk: `WEBHOOK#${webhookId}`, sk: `DLV#${deliveryId}` }),
  deliveryGuard: (deliveryKey: string): Key => ({ pk: `DLVKEY#${deliveryKey}`, sk: 'DLVKEY' }),
  deliveriesDue: (): string => 'DELIVERIES#DUE',
  // Campaigns (issue 5): the campaign (on the advertiser's gsi1 list and the 'campaigns' feed), its money
  // counters kept apart so billing never touches the campaign item, creatives, the end-date index; the per-viewer
  // frequency item and per-(dimension, id, hour) report counters.
  campaign: (campaignId: string): Key => ({ pk: `CAMPAIGN#${campaignId}`, sk: 'CAMPAIGN' }),
  tenantCampaigns: (tenantId: string): string => `TENANT#${tenantId}#CAMPAIGNS`,
  campaignBudget: (campaignId: string): Key => ({ pk: `CAMPAIGN#${campaignId}`, sk: 'BUDGET' }),
  campaignSpend: (campaignId: string, localDate: string): Key => ({ pk: `CAMPAIGN#${campaignId}`, sk: `SPEND#${localDate}` }),
  creative: (campaignId: string, creativeId: string): Key => ({ pk: `CAMPAIGN#${campaignId}`, sk: `CREATIVE#${creativeId}` }),
  creativePrefix: (campaignId: string): Key => ({ pk: `CAMPAIGN#${campaignId}`, sk: 'CREATIVE#' }),
  /** gsi1 finds a creative by its id alone (sk `CREATIVE`), for the operator's review routes. */
  creativeById: (creativeId: string): string => `CREATIVE#${creativeId}`,
  campaignsEnding: (): string => 'CAMPAIGNS#ENDING',
  campaignEnding: (end: string, campaignId: string): Key => ({ pk: 'CAMPAIGNS#ENDING', sk: `${end}#${campaignId}` }),
  // One item per viewer holds all its frequency counters (core/serving/frequency.ts).
  viewerFrequency: (viewerHash: string): Key => ({ pk: `FREQ#${viewerHash}`, sk: 'FREQ' }),
  // The image tag's decision for one unit and one recipient key (hashed), kept while its tokens live.
  imageTagDecision: (adUnitId: string, keyHash: string): Key => ({ pk: `IMGTAG#${adUnitId}#${keyHash}`, sk: 'DECISION' }),
  // Serving at scale (issue 11): budget leases (and what each posted, per unit × interval), on a sharded
  // index by end time for the settlement job; the journal: one item per tracking event in its decision's
  // source's partition (a fingerprint is salted per day, so that is a source-day), on gsi1 by lease;
  // per-source billing counters; clearing entries per unit × interval × campaign, on a sharded index by due day.
  lease: (leaseId: string): Key => ({ pk: `LEASE#${leaseId}`, sk: 'LEASE' }),
  // A campaign's live leases (while open), for what they posted: the campaign's spend.
  campaignLease: (campaignId: string, leaseId: string): Key => ({ pk: `CAMPAIGN#${campaignId}`, sk: `LEASE#${leaseId}` }),
  leasePosted: (leaseId: string, adUnitId: string, interval: number): Key => ({ pk: `LEASE#${leaseId}`, sk: `POSTED#${adUnitId}#${interval}` }),
  leasePostedPrefix: (leaseId: string): Key => ({ pk: `LEASE#${leaseId}`, sk: 'POSTED#' }),
  leasesEnding: (shard: number): string => `LEASES#${shard}`,
  journalOfLease: (leaseId: string): string => `JOURNAL#${leaseId}`,
  journalEvent: (fingerprint: string, decisionId: string, event: 'IMP' | 'CLK'): Key => ({ pk: `JRN#${fingerprint}`, sk: `${decisionId}#${event}` }),
  journalOfSource: (fingerprint: string): string => `JRN#${fingerprint}`,
  sourceLimits: (fingerprint: string, day: string): Key => ({ pk: `SOURCE#${fingerprint}`, sk: day }),
  clearing: (adUnitId: string, interval: number, campaignId: string): Key => ({
    pk: `CLEARING#${adUnitId}`,
    sk: `${new Date(interval).toISOString()}#${campaignId}`,
  }),
  clearingOfUnit: (adUnitId: string): string => `CLEARING#${adUnitId}`,
  clearingDue: (day: string, shard: number): string => `CLEARING#DUE#${day}#${shard}`,
  clearingCursor: (): Key => ({ pk: 'SYSTEM', sk: 'CLEARING' }),
  report: (dimension: string, id: string, hour: string): Key => ({ pk: `REPORT#${dimension}#${id}`, sk: hour }),
  reportPartition: (dimension: string, id: string): string => `REPORT#${dimension}#${id}`,
};
