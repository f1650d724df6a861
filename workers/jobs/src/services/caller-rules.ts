import { isProtectedTemplate, JOB_TYPES, type JobType, type Principal, type RpcResult } from '@onasis/contracts';

/** A job an API caller may not enqueue, and why. */
export type Refusal = { ok: false; error: { code: 'FORBIDDEN'; detail: string }; issues: [] };

const refuse = (detail: string): Refusal => ({ ok: false, error: { code: 'FORBIDDEN', detail }, issues: [] });

/** The notifications Worker's check of a send an API caller asks for. */
interface SendVetter {
  vetSend(input: { template: string }): Promise<RpcResult<null>>;
}

/**
 * What an API caller (`POST /api/v1/jobs`) may not enqueue, beyond `jobs:write`: an `internal` type (erasure,
 * housekeeping: only services and schedules enqueue those, or `jobs:write` would reach past the permissions of the
 * service that runs them), and a `notifications.send` the caller could not send through the notifications API
 * itself: without `notifications:send`, or of identity's or any `security` template (asked of notifications, which
 * owns the templates). Null when the job may go ahead.
 */
export async function refusalFor(
  env: JobsEnv,
  type: JobType,
  payload: unknown,
  caller: Principal,
): Promise<Refusal | null> {
  if ((JOB_TYPES[type] as { internal?: boolean }).internal === true) {
    return refuse(`${type} jobs are internal: only the platform's services and schedules enqueue them.`);
  }
  if (type !== 'notifications.send') return null;
  if (!caller.permissions.includes('notifications:send')) {
    return refuse('A notifications.send job needs the notifications:send permission too.');
  }
  const template = String((payload as { template?: unknown }).template);
  if (isProtectedTemplate(template)) {
    return refuse(`${template} is a security template: only identity sends it, never a job.`);
  }
  const vetted = await (env.NOTIFICATIONS as unknown as SendVetter).vetSend({ template });
  return vetted.ok ? null : refuse(vetted.error.detail ?? `${template} may not be sent by a job.`);
}
