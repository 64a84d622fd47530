import { z } from 'zod';
import { signupRoles } from '../tenants/tenants.js';
import { PASSWORD_MAX, PASSWORD_MIN } from './people.js';

/**
 * What people send to sign up, sign in, accept an invite and reset a password: one schema per
 * input, checked where the request comes in (http adds the OpenAPI names). Kept apart from
 * people.ts, which the serve bundle loads (for sessions) without zod.
 */

/** Emails are kept and compared in lower case. */
const Email = z
  .email()
  .max(320)
  .transform((e) => e.toLowerCase());
const Token = z.string().min(1).max(200);
const Name = z.string().trim().min(1).max(200);

export const Password = z
  .string()
  .min(PASSWORD_MIN)
  .max(PASSWORD_MAX)
  .meta({ description: `${PASSWORD_MIN} to ${PASSWORD_MAX} characters` });

export const SignUp = z.object({
  role: z.enum(signupRoles),
  name: Name,
  email: z.email().max(320),
  password: Password.optional().meta({
    description: 'The console’s signup: also creates the owner person with this password and signs them in (session cookie)',
  }),
});
export type SignUp = z.output<typeof SignUp>;

/** Any stored password verifies, whatever the rules were when it was set: only the maximum bounds the work. */
export const SignIn = z.object({ email: Email, password: z.string().min(1).max(PASSWORD_MAX) });
export const Invite = z.object({ email: Email });
export const InviteAcceptance = z.object({ token: Token, name: Name, password: Password });
export type InviteAcceptance = z.output<typeof InviteAcceptance>;
export const PasswordResetCompletion = z.object({ token: Token, password: Password });
export type PasswordResetCompletion = z.output<typeof PasswordResetCompletion>;
