/**
 * The typed API client (paths from console/src/api/schema.d.ts, generated from /openapi.json).
 * The console is served on the API's origin, so the session cookie goes with every call; a person
 * who signed in with an API key instead has it sent as `Authorization: Bearer` (kept for this tab).
 */
import createClient from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type { paths };

const KEY_STORAGE = 'placard.apiKey';

export const api = createClient<paths>({ baseUrl: location.origin, credentials: 'same-origin' });

api.use({
  onRequest({ request }) {
    const key = sessionStorage.getItem(KEY_STORAGE);
    if (key) request.headers.set('authorization', `Bearer ${key}`);
    return request;
  },
});

export function setApiKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
}

export function hasApiKey(): boolean {
  return sessionStorage.getItem(KEY_STORAGE) !== null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The data of a call, or an ApiError carrying the problem's detail. */
export async function must<D>(call: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) {
    const problem = error as { detail?: string; title?: string } | undefined;
    throw new ApiError(response.status, problem?.detail ?? problem?.title ?? response.statusText);
  }
  return data as D;
}

/** An idempotency key for one user action (a retried click sends the same one). */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}
