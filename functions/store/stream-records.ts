import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

/** One item's change on the table's stream, unmarshalled. */
export interface Change {
  id: string;
  kind: 'INSERT' | 'MODIFY' | 'REMOVE';
  entity: string;
  newImage?: Record<string, unknown>;
  oldImage?: Record<string, unknown>;
}

/** A stream record as a change of one of our items (undefined for a record of no entity). Throws when it cannot be decoded. */
export function toChange(record: DynamoDBRecord): Change | undefined {
  const db = record.dynamodb;
  if (!db || !record.eventName) return undefined;
  const newImage = db.NewImage ? unmarshall(db.NewImage as Record<string, AttributeValue>) : undefined;
  const oldImage = db.OldImage ? unmarshall(db.OldImage as Record<string, AttributeValue>) : undefined;
  const entity = (newImage ?? oldImage)?.entity;
  if (typeof entity !== 'string') return undefined;
  return { id: db.SequenceNumber ?? record.eventID ?? '', kind: record.eventName, entity, newImage, oldImage };
}
