import { fcmSend, googleToken } from './google.js';
import { type Answer, type Incoming, json, parsedBody } from './http.js';
import { resendEmails } from './resend.js';
import { slackWebhook } from './slack.js';
import type { Namespace } from './state.js';
import { twilioMessages } from './twilio.js';
import type { ProviderId, ReceivedRequest } from './types.js';
import { pushMessage } from './webpush.js';

type Handled = {
  provider: ProviderId;
  answer: () => Promise<Pick<ReceivedRequest, 'decrypted' | 'vapid'> & { answer: Answer }>;
};

/** Which provider a request is for, and how that provider answers it. */
function dispatch(incoming: Incoming, ns: Namespace, body: unknown): Handled | null {
  const { method, path } = incoming;
  if (method !== 'POST') return null;
  const form = (typeof body === 'object' && body !== null ? body : {}) as Record<string, string>;
  // Lazy: a scripted answer replaces the provider's, which must then leave no trace (an idempotency key, a token).
  const wrap = (answer: () => Answer | Promise<Answer>) => async () => ({ answer: await answer() });
  if (path === '/emails') return { provider: 'resend', answer: wrap(() => resendEmails(incoming, ns, body)) };
  const twilio = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path);
  const twilioSid = twilio?.[1];
  if (twilioSid) return { provider: 'twilio', answer: wrap(() => twilioMessages(incoming, twilioSid, form)) };
  if (path === '/token') return { provider: 'google-oauth', answer: wrap(() => googleToken(incoming, ns, form)) };
  const fcm = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(path);
  const project = fcm?.[1];
  if (project) return { provider: 'fcm', answer: wrap(() => fcmSend(incoming, ns, project, body)) };
  const push = /^\/push\/([^/]+)$/.exec(path);
  const subscription = push?.[1];
  if (subscription) return { provider: 'webpush', answer: () => pushMessage(incoming, ns, subscription) };
  if (path.startsWith('/services/')) return { provider: 'slack', answer: wrap(() => slackWebhook(body)) };
  return null;
}

/** Answers a provider request: a scripted answer if a test queued one, else the provider's own; records both. */
export async function route(incoming: Incoming, ns: Namespace): Promise<Answer> {
  const body = parsedBody(incoming);
  const handled = dispatch(incoming, ns, body);
  if (!handled) return json(404, { error: `no provider route for ${incoming.method} ${incoming.path}` });
  const scripted = ns.takeScript(handled.provider);
  if (scripted?.delayMs) await new Promise((resolve) => setTimeout(resolve, scripted.delayMs));
  const { answer, ...extra } = scripted ? { answer: scripted } : await handled.answer();
  ns.received.push({
    provider: handled.provider,
    method: incoming.method,
    path: incoming.path,
    headers: incoming.headers,
    body,
    status: answer.status,
    response: answer.body ?? null,
    ...extra,
  });
  return answer;
}
