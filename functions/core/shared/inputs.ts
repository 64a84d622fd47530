import type { z } from 'zod';
import { ValidationError, type FieldIssue } from './errors.js';

/** Turns zod issues into field paths like `audience.gender.female`. */
export function fieldIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): FieldIssue[] {
  return issues.map((i) => ({ field: i.path.map(String).join('.') || '(body)', message: i.message }));
}

/**
 * Parses an input with its schema, as http does when the request comes in, for core functions that
 * apply it: a caller that skips http gets the same trimmed, capped, checked value, or the same 400.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: z.input<S>, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = fieldIssues(result.error.issues);
  throw new ValidationError(`Invalid ${what}: ${errors.map((i) => i.field).join(', ')}`, errors);
}

/** Adds issues from a core rule to a zod refinement, at the field paths it names. */
export function addIssues(ctx: z.RefinementCtx, issues: readonly FieldIssue[]): void {
  for (const issue of issues) ctx.addIssue({ code: 'custom', path: issue.field.split('.'), message: issue.message });
}
