import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { handleStream } from './background/stream.js';
import { liveDeps } from './deps.js';

export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => handleStream(liveDeps(), event.Records);
