import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PlacardStack } from './stack.js';

const app = new App();
// The default stage is prod (retained, protected table); `-c stage=dev` (or any other name) makes a disposable one.
const stage: unknown = app.node.tryGetContext('stage') ?? 'prod';
if (typeof stage !== 'string' || !/^[a-z][a-z0-9-]*$/.test(stage)) throw new Error(`Invalid stage: ${String(stage)}`);
const publicBaseUrl: unknown = app.node.tryGetContext('publicBaseUrl');

// Environment-agnostic on purpose: synth needs no account, region or credentials; deploy supplies them.
new PlacardStack(app, `Placard-${stage}`, {
  stage,
  ...(typeof publicBaseUrl === 'string' ? { publicBaseUrl } : {}),
  description: `Placard ad marketplace (${stage})`,
});

// cdk-nag v3 is a policy-validation plugin: any unacknowledged AwsSolutions finding fails synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
