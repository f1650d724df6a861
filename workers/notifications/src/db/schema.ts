import type { Category, Channel } from '@onasis/contracts';
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const createdAt = (column = 'created_at') =>
  text(column).notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);

/**
 * One message to one recipient over one channel (one push target). The idempotency key is
 * `<request key>:<channel>[:<target>]`, so a re-sent request inserts nothing. Rendered bodies carry one-time links:
 * they stay for sandbox deliveries (that is where a developer reads them) and are cleared once a real provider took
 * the message.
 */
export const deliveries = sqliteTable(
  'deliveries',
  {
    id: text('id').primaryKey(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    /** What the sender addressed: a user id, an email address, a phone number or `slack`. */
    recipient: text('recipient').notNull(),
    channel: text('channel').notNull().$type<Channel>(),
    template: text('template').notNull(),
    status: text('status', { enum: ['queued', 'sending', 'sent', 'delivered', 'failed', 'bounced'] })
      .notNull()
      .default('queued'),
    provider: text('provider'),
    providerMessageId: text('provider_message_id'),
    error: text('error'),
    /** The message's variables (for sandbox deliveries, what a real provider would have been sent). */
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>(),
    category: text('category'),
    createdAt: createdAt(),
    updatedAt: text('updated_at'),
    /** Where it goes: email address, E.164 number, push endpoint/token; null for in-app, chat and erased users. */
    address: text('address'),
    pushTargetId: text('push_target_id'),
    requestKey: text('request_key'),
    templateVersion: integer('template_version'),
    locale: text('locale'),
    subject: text('subject'),
    bodyText: text('body_text'),
    bodyHtml: text('body_html'),
    /** Extra email headers (List-Unsubscribe for marketing mail). */
    headers: text('headers', { mode: 'json' }).$type<Record<string, string>>(),
    attempts: integer('attempts').notNull().default(0),
    /**
     * While `sending`: when a crashed attempt's claim expires and the delivery may be tried again. While `queued` after
     * a failure: when its retry is due (maintenance leaves it alone until then).
     */
    leaseUntil: text('lease_until'),
    sentAt: text('sent_at'),
    /**
     * When the row's queue message was handed to the queue; null while it never was (a send interrupted between the
     * insert and the queue), which is what a replayed request re-enqueues.
     */
    enqueuedAt: text('enqueued_at'),
  },
  (t) => [
    index('deliveries_recipient_idx').on(t.recipient, t.createdAt),
    index('deliveries_address_idx').on(t.address, t.createdAt),
    index('deliveries_status_idx').on(t.status, t.updatedAt),
    index('deliveries_created_idx').on(t.createdAt),
  ],
);

/** Versioned templates per key and locale; built-in ones also ship in code as version 1. */
export const templates = sqliteTable(
  'templates',
  {
    id: text('id').primaryKey(),
    key: text('key').notNull(),
    locale: text('locale').notNull(),
    version: integer('version').notNull(),
    channels: text('channels', { mode: 'json' }).notNull().$type<Channel[]>(),
    category: text('category').notNull().$type<Category>(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    html: text('html'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('templates_key_locale_version_unique').on(t.key, t.locale, t.version)],
);

/** A user's explicit choices; anything absent takes the default of its category. */
export const preferences = sqliteTable(
  'preferences',
  {
    userId: text('user_id').notNull(),
    category: text('category').notNull().$type<Category>(),
    channel: text('channel').notNull().$type<Channel>(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull(),
    updatedAt: createdAt('updated_at'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.category, t.channel] })],
);

/** The in-app inbox; one item per in-app delivery. */
export const inboxItems = sqliteTable(
  'inbox_items',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    deliveryId: text('delivery_id').notNull().unique(),
    template: text('template').notNull(),
    category: text('category').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    readAt: text('read_at'),
    createdAt: createdAt(),
  },
  (t) => [index('inbox_items_user_idx').on(t.userId, t.createdAt)],
);

/** Devices and browsers a user receives push messages on. */
export const pushTargets = sqliteTable(
  'push_targets',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    kind: text('kind', { enum: ['fcm', 'webpush'] }).notNull(),
    /** The FCM registration token or the Web Push endpoint. */
    address: text('address').notNull(),
    p256dh: text('p256dh'),
    auth: text('auth'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('push_targets_user_address_unique').on(t.userId, t.address)],
);

/** A user's number for SMS (E.164). */
export const phoneNumbers = sqliteTable('phone_numbers', {
  userId: text('user_id').primaryKey(),
  phone: text('phone').notNull(),
  updatedAt: createdAt('updated_at'),
  /** Set once the user entered the code texted to the number; SMS reaches only verified numbers. */
  verifiedAt: text('verified_at'),
  /** SHA-256 of the pending verification code, with when it was sent, when it expires and the wrong tries so far. */
  codeHash: text('code_hash'),
  codeSentAt: text('code_sent_at'),
  codeExpiresAt: text('code_expires_at'),
  codeAttempts: integer('code_attempts').notNull().default(0),
});

/**
 * When the last verification text went out, per user (`user:<id>`) and per number (`phone:<E.164>`): the
 * once-a-minute limit outlives a removed number, and several accounts cannot take turns texting one number.
 * Maintenance purges rows older than a day.
 */
export const smsThrottle = sqliteTable('sms_throttle', {
  key: text('key').primaryKey(),
  sentAt: text('sent_at').notNull(),
});
