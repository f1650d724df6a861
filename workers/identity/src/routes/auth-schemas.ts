import { z } from '@hono/zod-openapi';

/** An email address as typed; handlers normalise it. */
export const EmailSchema = z
  .string()
  .trim()
  .pipe(z.email().max(254))
  .openapi({ type: 'string', format: 'email', example: 'ada@example.com' });

/** A password as sent; the password policy judges new ones (length in code points, common list). */
export const PasswordSchema = z.string().min(1).max(1024).openapi({ example: 'correct horse battery staple' });

/** The tokens of a sign-in or refresh, in the body. */
export const TokenPairSchema = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().openapi({ description: 'Seconds until the access token expires.' }),
  })
  .openapi('TokenPair');

/** The answer of a sign-in or refresh whose tokens went into cookies. */
export const CookieSessionSchema = z
  .object({ tokenType: z.literal('Cookie'), expiresIn: z.number().int() })
  .openapi('CookieSession', {
    description: 'The tokens were set as `__Host-onasis_at` and `__Host-onasis_rt` HttpOnly cookies.',
  });

/** `cookie: true` asks for the session in HttpOnly cookies instead of the body (browsers). */
export const CookieFlag = z
  .boolean()
  .optional()
  .openapi({ description: 'Answer with HttpOnly `__Host-` session cookies instead of tokens in the body.' });

/** The answer of a sign-in that needs a second factor. */
export const MfaChallengeSchema = z
  .object({ mfaRequired: z.literal(true), mfaToken: z.string() })
  .openapi('MfaChallenge', { description: 'The password was right; answer with a second factor at /auth/mfa/verify.' });

/** A user as the API shows it. */
export const UserSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    emailVerified: z.boolean(),
    name: z.string().nullable(),
    locale: z.string().nullable(),
    timezone: z.string().nullable(),
    avatarFileId: z.string().nullable(),
    status: z.enum(['active', 'disabled']),
    roles: z.array(z.string()),
    mfaEnabled: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string().nullable(),
  })
  .openapi('User');
