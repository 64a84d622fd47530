import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { tableDefinition } from '../../functions/store/table.js';

export interface PlacardTableProps {
  /** Keep the table (and refuse to delete it) when the stack goes away: true for prod. */
  readonly retain: boolean;
}

/**
 * The single table, built from `functions/store/table.ts` so the stack, the local runner and the
 * tests can never disagree on key names, indexes, TTL or the stream view.
 */
export class PlacardTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: PlacardTableProps) {
    super(scope, id);
    const t = tableDefinition;
    // Every key attribute is a string (see keys.ts); the local runner's create-table does the same.
    this.table = new Table(this, 'Table', {
      partitionKey: { name: t.partitionKey, type: AttributeType.STRING },
      sortKey: { name: t.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      stream: StreamViewType[t.stream],
      timeToLiveAttribute: t.ttlAttribute,
      deletionProtection: props.retain,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const index of t.globalIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
      });
    }
  }
}
