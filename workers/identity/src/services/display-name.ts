import { z } from '@hono/zod-openapi';

/** Longest display name, in code points. */
const MAX_NAME_LENGTH = 100;

// Names are put into emails (verification, reset, register-attempt notices) that go to any address, so a name must
// not be able to carry a link or reshape the message: no scheme or www. host, nothing a mail client turns into a link
// by its top-level domain, no markup, no control, format (bidi overrides, zero-width) or line-separator characters.
const LINK_LIKE =
  /:\/\/|\bwww\.|[\p{L}\p{N}-]\.(?:com|net|org|io|co|app|dev|info|biz|xyz|top|site|online|link|click|ru|cn|me|ly|to|sh)\b/iu;
const MARKUP = /[<>]/;
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** Why `name` cannot be a display name, or null when it can. */
export function nameProblem(name: string): string | null {
  if ([...name].length > MAX_NAME_LENGTH) return `At most ${MAX_NAME_LENGTH} characters`;
  if (INVISIBLE.test(name)) return 'Control, invisible and text-direction characters are not allowed';
  if (MARKUP.test(name)) return 'The characters < and > are not allowed';
  if (LINK_LIKE.test(name)) return 'Links and web addresses are not allowed in a name';
  return null;
}

/** A display name as a user or admin types it: trimmed, 1 to 100 code points, nothing that could act as a link. */
export const DisplayNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(4 * MAX_NAME_LENGTH)
  .superRefine((name, ctx) => {
    const problem = nameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .openapi({ example: 'Ada Lovelace', description: 'No links, web addresses, < >, or control characters.' });

/** A name from elsewhere (a social login's profile), kept only when it would pass as a display name. */
export function acceptableName(name: string | null | undefined): string | null {
  const trimmed = name?.trim() ?? '';
  return trimmed !== '' && nameProblem(trimmed) === null ? trimmed : null;
}
