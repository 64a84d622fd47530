import { App, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PlacardStack } from '../../infra/stack.js';

const cdkContext = (JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }).context;

function app(stage: string): { app: App; stack: PlacardStack } {
  const app = new App({ context: { ...cdkContext, stage, 'aws:cdk:bundling-stacks': [] } });
  return { app, stack: new PlacardStack(app, `Placard-${stage}`, { stage }) };
}

/**
 * cdk-nag v3 is a CDK policy-validation plugin (`Validations.of(app).addPlugins`, as infra/app.ts
 * does), not an Aspect with Annotations; `validateScope` runs the same checks without a full synth.
 */
function findings(scope: App): string[] {
  const report = new AwsSolutionsChecks(scope, { verbose: true }).validateScope(scope);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath ?? r.resourceLogicalId ?? '?'}`));
}

function acknowledgments(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      // aws-cdk-lib records plain ids under its annotation namespace; cdk-nag strips it the same way.
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason })),
      ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it.each(['dev', 'prod'])('has no unacknowledged findings in %s', (stage) => {
    expect(findings(app(stage).app)).toEqual([]);
  });

  it('does report a finding the stack does not acknowledge (the check is live)', () => {
    const { app: scope, stack } = app('dev');
    new Queue(stack, 'PlainQueue');
    expect(findings(scope)).toEqual(expect.arrayContaining([expect.stringMatching(/^AwsSolutions-SQS4 at .*PlainQueue/)]));
  });

  it('gives every acknowledgment a reason', () => {
    const acks = acknowledgments(app('dev').stack);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.id).toMatch(/^AwsSolutions-/);
      expect(ack.reason.length, `${ack.id} on ${ack.path}`).toBeGreaterThan(40);
    }
  });

  it('acknowledges only the expected rules', () => {
    const ids = new Set(acknowledgments(app('dev').stack).map((a) => a.id.replace(/\[.*\]$/, '')));
    // CFR*, S1 and IAM4 come with the console's distribution, bucket and CDK's BucketDeployment provider.
    expect([...ids].sort()).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-CFR1',
      'AwsSolutions-CFR2',
      'AwsSolutions-CFR3',
      'AwsSolutions-CFR4',
      'AwsSolutions-IAM4',
      'AwsSolutions-IAM5',
      'AwsSolutions-L1',
      'AwsSolutions-S1',
      'AwsSolutions-SMG4',
      'AwsSolutions-SQS3',
    ]);
  });

  it('acknowledges wildcard IAM findings one resource at a time: X-Ray/ListStreams "*" and the table\'s own indexes', () => {
    // CDK's BucketDeployment provider (deploy time only) is acknowledged on its own role, in console-site.ts.
    const iam5 = acknowledgments(app('dev').stack).filter((a) => a.id.startsWith('AwsSolutions-IAM5') && !a.path.includes('Custom::CDKBucketDeployment'));
    for (const ack of iam5) {
      expect(ack.id).toMatch(/^AwsSolutions-IAM5\[Resource::(\*|<DataTable[0-9A-F]+\.Arn>\/index\/\*)\]$/);
      expect(ack.path).toMatch(/FunctionRole$/);
    }
  });
});
