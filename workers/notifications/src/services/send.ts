import { type Category, type Channel, type ErrorCode, isProtectedTemplate, newId } from '@onasis/contracts';
import type { FieldError } from '@onasis/http';
import { eq } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { deliveries } from '../db/schema.js';
import { type DeliveryMessage, type DeliveryRow, type DeliveryView, deliveryView } from './deliveries.js';
import { allowedChannels } from './preferences.js';
import { type BatchQueue, enqueueDeliveries } from './queue-batches.js';
import { resolveRecipient } from './recipient.js';
import { render } from './render.js';
import { smsAllowed } from './sms-countries.js';
import { latestVersionsOf, pickTemplate } from './templates.js';
import { unsubscribeLink } from './unsubscribe-token.js';

/** A send as this Worker runs it: the public request, plus what identity's queue messages may add. */
export interface SendRequest {
  to: string;
  template: string;
  data: Record<string, unknown>;
  channels?: Channel[];
  locale?: string;
  idempotencyKey: string;
  /** Identity's override of a user's email address. */
  toAddress?: string;
  /** Identity's messages name their category; otherwise the template's applies. */
  category?: Category;
  /**
   * A send asked for from outside the platform's own services (the HTTP route, a `notifications.send` job): identity's
   * templates and every `security` template are refused, since they carry one-time links only identity may issue.
   */
  untrusted?: boolean;
}

/** The deliveries of one send (new and earlier ones of the same key); `skipped` says why there are none. */
export interface SendResult {
  deliveries: DeliveryView[];
  enqueued: number;
  skipped: string | null;
}

/** Where fan-out puts its delivery messages: the notifications queue (tests may record instead). */
type DeliveryQueue = BatchQueue<DeliveryMessage>;

/** A refused send; `errors` names the fields of a `VALIDATION_FAILED`. */
type Failure = { ok: false; error: { code: ErrorCode; detail: string }; errors?: FieldError[] };

const invalid = (path: string, message: string): Failure => ({
  ok: false,
  error: { code: 'VALIDATION_FAILED', detail: `${path}: ${message}` },
  errors: [{ path, message }],
});

const forbidden = (template: string): Failure => ({
  ok: false,
  error: {
    code: 'FORBIDDEN',
    detail: `${template} is a security template: only identity sends it, never a caller of this API.`,
  },
});

/**
 * Fans a request out to one delivery row per channel (per push target), rendered now, and one queue message per new
 * row. Retry/duplicate: rows are keyed `<idempotencyKey>:<channel>[:<target>]` and inserted ON CONFLICT DO NOTHING,
 * so the same request again inserts nothing and answers the same deliveries. Interruption between the insert and the
 * queue send leaves `queued` rows without `enqueued_at`: the same request again enqueues exactly those (and
 * maintenance does, if nobody retries); a row whose message did go out is not enqueued twice.
 */
export async function sendNotification(
  env: NotificationsEnv,
  req: SendRequest,
  queue: DeliveryQueue = env.NOTIFICATIONS_QUEUE,
): Promise<{ ok: true; data: SendResult } | Failure> {
  if (req.untrusted && isProtectedTemplate(req.template)) return forbidden(req.template);
  const db = dbOf(env.DB);
  // Independent lookups side by side: the template's locales need not wait for identity's answer.
  const [recipient, versions] = await Promise.all([
    resolveRecipient(env, req.to, req.toAddress),
    latestVersionsOf(db, req.template),
  ]);
  if (recipient === 'invalid') return invalid('to', 'Not a user id, email address, E.164 number or `slack`.');
  // A caller of the API texting a bare number is held to the same country allow-list as phone verification.
  if (
    req.untrusted &&
    recipient?.phone &&
    !recipient.userId &&
    !smsAllowed(recipient.phone, env.SMS_ALLOWED_COUNTRIES)
  ) {
    return invalid('to', 'SMS is not offered to this country (SMS_ALLOWED_COUNTRIES).');
  }
  const template = pickTemplate(versions, req.template, req.locale, recipient?.locale);
  if (!template) return invalid('template', `No template ${req.template}.`);
  if (req.untrusted && (template.category === 'security' || req.category === 'security'))
    return forbidden(req.template);
  if (recipient === null) {
    return { ok: true, data: { deliveries: [], enqueued: 0, skipped: 'The user is unknown or disabled.' } };
  }
  const category = req.category ?? template.category;
  let channels = (req.channels ?? template.channels).filter((ch) => recipient.reachable.has(ch));
  if (recipient.userId) channels = await allowedChannels(db, recipient.userId, category, channels);
  if (channels.length === 0) {
    return { ok: true, data: { deliveries: [], enqueued: 0, skipped: 'No channel is both allowed and reachable.' } };
  }

  const baseData = { name: recipient.name, ...req.data };
  const rows: { key: string; channel: Channel; address: string | null; targetId: string | null; data: object }[] = [];
  for (const channel of channels) {
    if (channel === 'push') {
      for (const t of recipient.pushTargets)
        rows.push({ key: `push:${t.id}`, channel, address: t.address, targetId: t.id, data: baseData });
    } else {
      const address = channel === 'email' ? recipient.email : channel === 'sms' ? recipient.phone : null;
      rows.push({ key: channel, channel, address, targetId: null, data: baseData });
    }
  }
  // Rendered first, built after: a drizzle query is a thenable, so an async callback returning one would run it.
  const values = await Promise.all(
    rows.map(async (r) => {
      let headers: Record<string, string> | null = null;
      let data: Record<string, unknown> = { ...r.data };
      if (category === 'marketing' && r.channel === 'email' && recipient.userId) {
        const link = await unsubscribeLink(env, recipient.userId, category);
        headers = link.headers;
        data = { ...data, unsubscribeUrl: link.url };
      }
      const out = render(template, data);
      return {
        id: newId('dlv'),
        idempotencyKey: `${req.idempotencyKey}:${r.key}`,
        requestKey: req.idempotencyKey,
        recipient: req.to,
        address: r.address,
        pushTargetId: r.targetId,
        channel: r.channel,
        template: req.template,
        templateVersion: template.version,
        locale: template.locale,
        category,
        status: 'queued' as const,
        data: req.data,
        subject: r.channel === 'email' || r.channel === 'push' || r.channel === 'inapp' ? out.subject : null,
        bodyText: out.text,
        bodyHtml: r.channel === 'email' ? out.html : null,
        headers,
        updatedAt: new Date().toISOString(),
      };
    }),
  );
  const statements = values.map((v) =>
    db.insert(deliveries).values(v).onConflictDoNothing({ target: deliveries.idempotencyKey }).returning(),
  );
  const [first, ...rest] = statements;
  const inserted = first ? await db.batch([first, ...rest]) : [];
  const fresh = inserted.flat();
  // A repeated request inserted less than it asked for: the rows of its first time answer instead.
  const all =
    fresh.length === rows.length
      ? fresh
      : await db.select().from(deliveries).where(eq(deliveries.requestKey, req.idempotencyKey));
  // New rows, and earlier ones whose message never reached the queue (the first request failed between its insert
  // and its queue send): a replay is how a caller who saw that failure gets its notification out at once.
  const unsent = all.filter((r) => r.status === 'queued' && r.enqueuedAt === null).map((r) => r.id);
  if (unsent.length > 0) await enqueueDeliveries(db, queue, unsent);
  const order = (x: DeliveryRow) => `${x.channel}\u0000${x.id}`;
  all.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  return { ok: true, data: { deliveries: all.map((r) => deliveryView(r)), enqueued: fresh.length, skipped: null } };
}
