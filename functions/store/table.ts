/**
 * The single table's definition: the one source for the CDK stack, the local runner and the
 * tests. Generic key names; what goes in them is in keys.ts.
 */
export const tableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  globalIndexes: [
    // Lookups by another key: a tenant's objects, objects by state or deadline.
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    // Change feeds: items of a kind by update time, read incrementally by in-memory snapshots (change-feed.ts).
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    // Operator queues, sparse: an item is on one only while it waits for an operator (an account to verify, a creative to review).
    { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  ],
  stream: 'NEW_AND_OLD_IMAGES',
} as const;

export type GlobalIndexName = (typeof tableDefinition.globalIndexes)[number]['name'];
