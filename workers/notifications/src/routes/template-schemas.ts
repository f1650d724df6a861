import { z } from '@hono/zod-openapi';
import { CATEGORIES, CHANNELS } from '@onasis/contracts';

const KEY = /^[a-z0-9][a-z0-9._-]{0,99}$/;
/** A template version in the API. */
export const TemplateSchema = z
  .object({
    key: z.string().openapi({ example: 'billing.invoice-paid' }),
    locale: z.string().openapi({ example: 'en' }),
    version: z.number().int(),
    builtIn: z.boolean(),
    channels: z.array(z.enum(CHANNELS)),
    category: z.enum(CATEGORIES),
    subject: z.string(),
    text: z.string().openapi({ description: 'Plain text; also the body of SMS, push, chat and in-app messages.' }),
    html: z.string().nullable(),
    createdAt: z.string().nullable(),
  })
  .openapi('NotificationTemplate');

const Content = {
  locale: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/)
    .default('en'),
  channels: z.array(z.enum(CHANNELS)).min(1).max(CHANNELS.length),
  category: z.enum(CATEGORIES),
  subject: z.string().min(1).max(500),
  text: z.string().min(1).max(20_000),
  html: z.string().max(100_000).nullable().default(null),
};
/** The body of a new template. */
export const CreateSchema = z
  .object({ key: z.string().regex(KEY), ...Content })
  .strict()
  .openapi('CreateNotificationTemplate');
/** The body of a new version. */
export const UpdateSchema = z.object(Content).strict().openapi('UpdateNotificationTemplate');
/** Sample data to render a template with, and optionally an unsaved draft of its parts to render instead. */
export const PreviewSchema = z
  .object({
    locale: z.string().min(2).max(35).optional(),
    data: z.record(z.string(), z.unknown()).default({}),
    subject: Content.subject
      .optional()
      .openapi({ description: 'A draft subject, rendered instead of the stored one.' }),
    text: Content.text.optional().openapi({ description: 'A draft text, rendered instead of the stored one.' }),
    html: z
      .string()
      .max(100_000)
      .nullable()
      .optional()
      .openapi({ description: 'A draft HTML part (null: none), rendered instead of the stored one.' }),
  })
  .strict()
  .openapi('PreviewNotificationTemplate');
/** The `{key}` of a template's path. */
export const KeyParams = z.object({
  key: z
    .string()
    .regex(KEY)
    .openapi({ param: { name: 'key', in: 'path' } }),
});
