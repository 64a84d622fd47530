import { ValidationError } from '../core/shared/errors.js';

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** Cursors are the opaque, base64url-encoded LastEvaluatedKey of the query that made the page. */
export function encodeCursor(lastKey: Record<string, unknown> | undefined): string | undefined {
  return lastKey ? Buffer.from(JSON.stringify(lastKey)).toString('base64url') : undefined;
}

export function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through to the validation error
  }
  throw new ValidationError('Invalid cursor', [{ field: 'cursor', message: 'is not a cursor this API returned' }]);
}
