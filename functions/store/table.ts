/**
 * The single table's definition: the one source for the CDK stack, the local runner and the
 * tests. Generic key names; what goes in them is in keys.ts.
 */
export const tableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  globalIndexes: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
  stream: 'NEW_AND_OLD_IMAGES',
} as const;

export type GlobalIndexName = (typeof tableDefinition.globalIndexes)[number]['name'];
