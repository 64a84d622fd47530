import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
} from '@aws-sdk/client-dynamodb';
import { tableDefinition as t } from './table.js';

const indexSpec = (g: (typeof t.globalIndexes)[number]): GlobalSecondaryIndex => ({
  IndexName: g.name,
  KeySchema: [
    { AttributeName: g.partitionKey, KeyType: 'HASH' },
    { AttributeName: g.sortKey, KeyType: 'RANGE' },
  ],
  Projection: { ProjectionType: 'ALL' },
});

const attributeDefinitions = (names: string[]) => [...new Set(names)].map((name) => ({ AttributeName: name, AttributeType: 'S' as const }));

/**
 * Creates the table from the store's definition, or adds the indexes it lacks (local runner,
 * tests). On AWS the CDK stack owns the table.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'updated' | 'unchanged'> {
  let existing: string[];
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    existing = (Table?.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName ?? '');
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await create(client, tableName);
    return 'created';
  }
  const missing = t.globalIndexes.filter((g) => !existing.includes(g.name));
  for (const g of missing) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: attributeDefinitions([g.partitionKey, g.sortKey]),
        GlobalSecondaryIndexUpdates: [{ Create: indexSpec(g) }],
      }),
    );
  }
  return missing.length > 0 ? 'updated' : 'unchanged';
}

async function create(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: attributeDefinitions([t.partitionKey, t.sortKey, ...t.globalIndexes.flatMap((g) => [g.partitionKey, g.sortKey])]),
      KeySchema: [
        { AttributeName: t.partitionKey, KeyType: 'HASH' },
        { AttributeName: t.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: t.globalIndexes.map(indexSpec),
      StreamSpecification: { StreamEnabled: true, StreamViewType: t.stream },
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: tableName });
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: t.ttlAttribute, Enabled: true },
    }),
  );
}
