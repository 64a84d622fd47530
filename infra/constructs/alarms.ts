import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface PlacardAlarmsProps {
  /** Functions by short name (`api`, `serve`, …), used in alarm ids and descriptions. */
  readonly functions: Record<string, IFunction>;
  readonly deadLetterQueue: IQueue;
}

/**
 * The alarms worth waking up for: any function error, any throttle (money and tracking must not be
 * dropped silently), and any stream record parked in the dead-letter queue.
 */
export class PlacardAlarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: PlacardAlarmsProps) {
    super(scope, id);
    const period = Duration.minutes(1);
    for (const [name, fn] of Object.entries(props.functions)) {
      this.add(`${name}Errors`, fn.metricErrors({ period, statistic: 'Sum' }), `${name}: a Lambda invocation failed`);
      this.add(`${name}Throttles`, fn.metricThrottles({ period, statistic: 'Sum' }), `${name}: a Lambda invocation was throttled`);
    }
    this.add(
      'StreamDeadLetters',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
      'stream: records failed every retry and wait in the dead-letter queue for a replay',
    );
  }

  private add(id: string, metric: IMetric, description: string): void {
    this.alarms.push(
      new Alarm(this, id, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No traffic is not a problem.
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      }),
    );
  }
}
