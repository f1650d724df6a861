import type { Answer } from './http.js';

const text = (status: number, body: string): Answer => ({ status, body, headers: { 'content-type': 'text/html' } });

/** An incoming webhook as Slack answers it: `ok` as text, or a short error code with a 4xx. */
export function slackWebhook(body: unknown): Answer {
  if (typeof body !== 'object' || body === null) return text(400, 'invalid_payload');
  const { text: message } = body as { text?: unknown };
  if (typeof message !== 'string' || message.length === 0) return text(400, 'no_text');
  return text(200, 'ok');
}
