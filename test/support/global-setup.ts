import type { TestProject } from 'vitest/node';
import { startDynamoLocal } from '../../scripts/local/dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

/** One DynamoDB Local JVM for the whole run; each test file gets its own database (see test/support/deps.ts). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const local = await startDynamoLocal();
  project.provide('dynamoEndpoint', local.endpoint);
  return () => local.stop();
}
