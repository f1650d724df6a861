import {
  type HealthReport,
  isProtectedTemplate,
  JOB_TYPES,
  type JobOutcome,
  type JobRun,
  JobRunSchema,
  type NotificationSend,
  NotificationSendSchema,
  type RpcResult,
  rpcInput,
} from '@onasis/contracts';
import { DomainEntrypoint, d1Check, runHealthChecks } from '@onasis/http';
import { z } from 'zod';
import { app } from './app.js';
import type { AppEnv } from './context.js';
import { dbOf } from './db/client.js';
import { providersCheck } from './providers/index.js';
import { eraseUser } from './services/erase-user.js';
import { resetDevices } from './services/reset-devices.js';
import { runMaintenance } from './services/run-maintenance.js';
import { type SendResult, sendNotification } from './services/send.js';
import { latestVersionsOf, pickTemplate } from './services/templates.js';

const notRetryable = (detail: string): JobOutcome => ({
  ok: false,
  error: { code: 'BAD_REQUEST', detail },
  retryable: false,
});

const VetSendSchema = z.object({ template: z.string() });

/** RPC surface of the notifications Worker, bound by the gateway as `NOTIFICATIONS`. */
export class NotificationsService extends DomainEntrypoint<AppEnv> {
  protected readonly app = app;
  protected readonly tag = {
    name: 'notifications',
    description: 'Templates, preferences, deliveries and the in-app inbox.',
  };

  /**
   * Notifies someone: one delivery per allowed, reachable channel, queued for sending. The same `idempotencyKey`
   * answers the same deliveries and sends nothing again, so a caller may retry freely.
   */
  async send(input: NotificationSend): Promise<RpcResult<SendResult>> {
    const checked = rpcInput(NotificationSendSchema, input);
    if (!checked.ok) return checked;
    return sendNotification(this.env, checked.data);
  }

  /**
   * One attempt of a notifications job. Each is safe to repeat: maintenance and erasure converge, and a send is
   * idempotent by its key, so a redelivered job repeats no side effect.
   */
  async runJob(run: JobRun): Promise<JobOutcome> {
    const checked = rpcInput(JobRunSchema, run);
    if (!checked.ok) return { ...checked, retryable: false };
    const { type, payload } = checked.data;
    switch (type) {
      case 'notifications.maintenance':
        return { ok: true, data: await runMaintenance(this.env) };
      case 'notifications.erase-user':
      case 'notifications.reset-devices': {
        const input = rpcInput(JOB_TYPES[type].payload, payload);
        if (!input.ok) return { ...input, retryable: false };
        const { userId } = input.data;
        const result =
          type === 'notifications.erase-user'
            ? await eraseUser(this.env, userId)
            : await resetDevices(this.env, userId);
        return { ok: true, data: result };
      }
      case 'notifications.send': {
        const input = rpcInput(NotificationSendSchema, payload);
        if (!input.ok) return { ...input, retryable: false };
        // Jobs carry what an API caller asked for: the same rules as the public send route.
        const sent = await sendNotification(this.env, { ...input.data, untrusted: true });
        if (!sent.ok) return { ok: false, error: sent.error, retryable: false };
        return {
          ok: true,
          data: { deliveries: sent.data.deliveries.map((d) => d.id), skipped: sent.data.skipped },
        };
      }
      default:
        return notRetryable(`notifications runs no ${type} jobs`);
    }
  }

  /**
   * Whether a caller outside the platform may send `input.template` (the jobs Worker asks before it accepts a
   * `notifications.send` job over HTTP): identity's templates and `security` ones are FORBIDDEN. An unknown
   * template passes here; the send itself reports it.
   */
  async vetSend(input: { template: string }): Promise<RpcResult<null>> {
    const checked = rpcInput(VetSendSchema, input);
    if (!checked.ok) return checked;
    const { template } = checked.data;
    const refused = {
      ok: false as const,
      error: {
        code: 'FORBIDDEN' as const,
        detail: `${template} is a security template: only identity sends it, never a caller of the API.`,
      },
    };
    if (isProtectedTemplate(template)) return refused;
    const found = pickTemplate(await latestVersionsOf(dbOf(this.env.DB), template), template);
    return found?.category === 'security' ? refused : { ok: true, data: null };
  }

  health(): Promise<HealthReport> {
    return runHealthChecks({
      db: d1Check(this.env.DB),
      // A malformed provider configuration silently falls back to defaults; this makes it visible.
      providers: providersCheck(this.env),
      // Without it marketing email would go out without a working unsubscribe link.
      secrets: async () => {
        if (!this.env.UNSUBSCRIBE_SIGNING_KEY) throw new Error('UNSUBSCRIBE_SIGNING_KEY is not set');
      },
    });
  }
}
