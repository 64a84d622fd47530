import type { Hono } from 'hono';
import type { components, paths } from '../../console/src/api/schema.js';
import type { AppEnv } from '../../functions/http/env.js';

type App = Pick<Hono<AppEnv>, 'request'>;

/** A browser's user agent (WeChat's in-app browser): serve requests without one count as bots. */
export const BROWSER_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.40';

/*
 * The types below read the API's own contract (console/src/api/schema.d.ts, generated from
 * /openapi.json): `call(app, 'GET', `/v1/campaigns/${id}`)` finds the documented template
 * '/v1/campaigns/{id}' segment by segment, so a path or method the document does not have, a
 * request body it does not accept or a response field it does not declare fails to type-check.
 * What the document does not describe as JSON goes through `raw` (text); bodies a test sends to
 * be refused are marked `invalid(...)`.
 */

/** The document's named schemas (`Schemas['CampaignInput']`), for test builders. */
export type Schemas = components['schemas'];
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Template = keyof paths;

type Segments<S extends string> = S extends `${infer Head}/${infer Rest}` ? [Head, ...Segments<Rest>] : [S];
type WithoutQuery<P extends string> = P extends `${infer Path}?${string}` ? Path : P;
/** A documented segment `{id}` takes any one segment; any other segment must be the same text. */
type SameShape<T extends string[], P extends string[]> = T extends [infer TH extends string, ...infer TR extends string[]]
  ? P extends [infer PH extends string, ...infer PR extends string[]]
    ? TH extends `{${string}}`
      ? SameShape<TR, PR>
      : [PH] extends [TH]
        ? SameShape<TR, PR>
        : false
    : false
  : P extends []
    ? true
    : false;
/** The documented template a concrete path (or each member of a union of paths) falls under. */
type TemplateOf<P extends string> = P extends string
  ? { [T in Template]: SameShape<Segments<T>, Segments<WithoutQuery<P>>> extends true ? T : never }[Template]
  : never;

type OperationAt<T, M extends Method> = T extends Template ? (paths[T][Lowercase<M>] extends infer O extends { responses: object } ? O : never) : never;
/** The documented operation of `method path`, or never. */
type Operation<M extends Method, P extends string> = OperationAt<TemplateOf<P>, M>;

type Pattern<T extends string> = T extends `${infer Head}{${string}}${infer Tail}` ? `${Head}${string}${Pattern<Tail>}` : T;
/**
 * Every path the document has `method` on, as a pattern (`/v1/campaigns/${string}`), with or without
 * a query: what `call` takes. (A path that only a pattern matches, like GET `/v1/orders/x/accept`
 * against `/v1/orders/${string}`, type-checks but gets `body: never`.)
 */
export type Path<M extends Method> = { [T in Template]: [OperationAt<T, M>] extends [never] ? never : Pattern<T> | `${Pattern<T>}?${string}` }[Template];

type Responses<O> = O extends { responses: infer R } ? R : never;
type JsonOf<R> = R extends { content: { 'application/json': infer J } } ? J : R extends { content?: never } ? undefined : never;
type ProblemOf<R> = R extends { content: { 'application/problem+json': infer J } } ? J : never;
type Success<O> = O extends unknown
  ? { [S in keyof Responses<O>]: S extends 200 | 201 | 202 | 204 ? JsonOf<Responses<O>[S]> : never }[keyof Responses<O>]
  : never;
type Failure<O> = O extends unknown ? { [S in keyof Responses<O>]: ProblemOf<Responses<O>[S]> }[keyof Responses<O>] : never;
type RequestJson<O> = O extends { requestBody?: { content: { 'application/json': infer J } } } ? J : never;

declare const invalidInput: unique symbol;
/** A request body the API must refuse, sent as it is (see `invalid`). */
export interface Invalid {
  readonly [invalidInput]: true;
}
/** Marks a deliberately malformed request body, which no documented body type would accept. */
export function invalid(value: unknown): Invalid {
  return value as Invalid;
}

interface RequestOptions<Body = unknown> {
  key?: string;
  body?: Body;
  headers?: Record<string, string>;
}

/** An answer as text, for what the document does not describe as JSON (see `withProblem` for its errors). */
export interface RawCall {
  status: number;
  headers: Headers;
  text: string;
}

/** An answer of a documented JSON operation. */
export interface Call<O> {
  status: number;
  headers: Headers;
  /** The parsed body as the document's 2xx JSON response declares it. */
  body: Success<O>;
  /** The same parsed body as the document's error (application/problem+json) responses declare it. */
  problem: Failure<O>;
}

/** The documented 2xx JSON body of `method path`. */
export type ResponseBody<M extends Method, P extends string> = Success<Operation<M, P>>;
/** The documented JSON request body of `method path`, or a deliberately invalid one. */
export type RequestBody<M extends Method, P extends string> = RequestJson<Operation<M, P>> | Invalid;

/** A request through the real app (`app.request`), with an optional API key, as a browser; the body as text. */
export async function raw(app: App, method: string, path: string, options: RequestOptions = {}): Promise<RawCall> {
  const headers: Record<string, string> = { 'user-agent': BROWSER_UA, ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await app.request(path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** A JSON request to a documented operation, typed by the OpenAPI document (see `raw` for the rest). */
export async function call<M extends Method, P extends Path<M>>(
  app: App,
  method: M,
  path: P,
  options: RequestOptions<RequestBody<M, P>> = {},
): Promise<Call<Operation<M, P>>> {
  const { status, headers, text } = await raw(app, method, path, options);
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status, headers, body, problem: body } as Call<Operation<M, P>>;
}

/** A raw answer with its problem document; throws unless it is `application/problem+json`, as every error of the API is. */
export function withProblem(res: RawCall): RawCall & { problem: Schemas['Problem'] } {
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('application/problem+json')) throw new Error(`expected a problem, got ${res.status} ${type}: ${res.text}`);
  return { ...res, problem: JSON.parse(res.text) as Schemas['Problem'] };
}

let counter = 0;
/** Signs up a tenant and returns its id and API key. */
export async function signup(app: App, role: 'advertiser' | 'publisher', name = role): Promise<{ id: string; key: string }> {
  counter += 1;
  const res = await call(app, 'POST', '/v1/signup', { body: { role, name, email: `${name}-${counter}-${Date.now()}@example.com` } });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.problem)}`);
  return { id: res.body.tenant.id, key: res.body.apiKey.key };
}

export type Having<T, K extends PropertyKey> = T extends unknown ? (K extends keyof T ? T : never) : never;
/** The member of a documented union that has `key` (an advertiser's wallet, a one-placement decision); throws when `value` has no `key`. */
export function having<T extends object, K extends string>(value: T, key: K): Having<T, K> {
  if (!(key in value)) throw new Error(`expected a body with ${key}, got ${JSON.stringify(value)}`);
  return value as Having<T, K>;
}
