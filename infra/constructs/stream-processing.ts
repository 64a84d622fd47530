import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface StreamProcessingProps {
  readonly table: ITable;
  readonly handler: IFunction;
  readonly retainDeadLetters: boolean;
}

/**
 * Feeds the table's stream to the stream function. A poison record must neither block its shard
 * for a day nor vanish: the batch is bisected to isolate it, retried a bounded number of times,
 * and then its metadata (shard and sequence numbers, for a replay) lands in an encrypted queue.
 */
export class StreamProcessing extends Construct {
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: StreamProcessingProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The longest SQS allows: someone has to look at these, and an alarm says so.
      retentionPeriod: Duration.days(14),
      removalPolicy: props.retainDeadLetters ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue (the on-failure destination of the stream event source); a DLQ of a DLQ adds nothing.',
    });

    props.handler.addEventSource(
      new DynamoEventSource(props.table, {
        // Never skip changes that happened before the mapping existed (rollups and ledgers need all).
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        bisectBatchOnError: true,
        retryAttempts: 5,
        maxRecordAge: Duration.hours(6),
        // The handler returns the failed sequence numbers, so good records in a batch are not redone.
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.deadLetterQueue),
      }),
    );
    if (props.handler.role) {
      Validations.of(props.handler.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'The event source grants dynamodb:ListStreams, which has no resource-level permissions (AWS requires "*"; it ' +
          "only lists stream ARNs). DescribeStream, GetRecords and GetShardIterator stay scoped to this table's stream.",
      });
    }
  }
}
