import { z } from 'zod';

/** Delivery channels. `inapp` is the user's inbox in the notifications database. */
export const CHANNELS = ['email', 'sms', 'push', 'chat', 'inapp'] as const;

/** A delivery channel. */
export type Channel = (typeof CHANNELS)[number];

/** What a message is about; preferences are kept per category and channel. `security` cannot be turned off. */
export const CATEGORIES = ['security', 'billing', 'product', 'marketing'] as const;

/** A message category. */
export type Category = (typeof CATEGORIES)[number];

/**
 * A request to notify someone: RPC `NotificationsService.send`, `POST /api/v1/notifications/send` for admins, and the
 * `notifications.send` job. Fans out to the template's channels (or `channels`, if given) that the recipient's
 * preferences allow. The same `idempotencyKey` never sends twice.
 */
export const NotificationSendSchema = z
  .object({
    /** A user id (`usr_…`), whose preferences, address and locale apply, or an email address, phone number (E.164) or `slack`. */
    to: z.string().min(1).max(320),
    template: z.string().min(1).max(100),
    data: z.record(z.string(), z.unknown()).default({}),
    channels: z.array(z.enum(CHANNELS)).min(1).max(CHANNELS.length).optional(),
    locale: z.string().min(2).max(35).optional(),
    idempotencyKey: z.string().min(1).max(200),
  })
  .strict();

/** A send request. */
export type NotificationSend = z.input<typeof NotificationSendSchema>;

/** What a user's contact details are, as identity answers `contactOf`. */
export interface UserContact {
  userId: string;
  email: string;
  emailVerified: boolean;
  locale: string | null;
  name: string | null;
}

/**
 * Identity's account-security mail (verification, reset, sign-in alerts) carries live one-time links: only identity's
 * own queue messages may send these templates, never the public send route or a job enqueued over HTTP.
 */
export const PROTECTED_TEMPLATE_PREFIX = 'identity.';

/** Whether `template` is one that only identity may send (and nobody may edit through the public API). */
export function isProtectedTemplate(template: string): boolean {
  return template.startsWith(PROTECTED_TEMPLATE_PREFIX);
}
