/**
 * Typed domain errors. Each has a stable `code`; http/problem.ts maps codes to HTTP statuses.
 */
export type ErrorCode =
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'insufficient_funds'
  | 'invalid_transition'
  | 'idempotency_mismatch'
  | 'idempotency_in_progress'
  | 'payload_too_large'
  | 'rate_limited';

export interface FieldIssue {
  field: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  /** Extra members for the problem document (RFC 9457 extension members). */
  readonly extensions: Record<string, unknown>;

  constructor(message: string, extensions: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.extensions = extensions;
  }
}

export class ValidationError extends DomainError {
  readonly code = 'validation';
  constructor(
    message: string,
    readonly errors: FieldIssue[],
    options?: ErrorOptions,
  ) {
    super(message, { errors }, options);
  }
}

export class UnauthorizedError extends DomainError {
  readonly code = 'unauthorized';
}

export class ForbiddenError extends DomainError {
  readonly code = 'forbidden';
}

export class NotFoundError extends DomainError {
  readonly code = 'not_found';
}

export class ConflictError extends DomainError {
  readonly code = 'conflict';
}

export class InsufficientFundsError extends DomainError {
  readonly code = 'insufficient_funds';
}

export class InvalidTransitionError extends DomainError {
  readonly code = 'invalid_transition';
  constructor(
    readonly state: string,
    readonly action: string,
    readonly allowed: readonly string[],
    options?: ErrorOptions,
  ) {
    super(`Cannot ${action} an order in state ${state}`, { state, allowedActions: allowed }, options);
  }
}

export class IdempotencyMismatchError extends DomainError {
  readonly code = 'idempotency_mismatch';
}

export class IdempotencyInProgressError extends DomainError {
  readonly code = 'idempotency_in_progress';
}

export class RateLimitedError extends DomainError {
  readonly code = 'rate_limited';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(message, { retryAfterSeconds }, options);
  }
}
