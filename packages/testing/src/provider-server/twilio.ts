import { randomBytes } from 'node:crypto';
import { type Answer, type Incoming, json } from './http.js';
import { TEST_CREDENTIALS, TWILIO_INVALID_NUMBER } from './types.js';

const twilioError = (status: number, code: number, message: string): Answer =>
  json(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

/** `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` as Twilio answers it: Basic auth, form body, a Message. */
export function twilioMessages(incoming: Incoming, accountSid: string, form: Record<string, string>): Answer {
  const { accountSid: sid, authToken } = TEST_CREDENTIALS.twilio;
  const expected = `Basic ${Buffer.from(`${sid}:${authToken}`).toString('base64')}`;
  if (incoming.headers.authorization !== expected || accountSid !== sid) {
    return twilioError(401, 20003, 'Authenticate');
  }
  if (!form.To) return twilioError(400, 21604, "A 'To' phone number is required.");
  if (!form.Body) return twilioError(400, 21602, 'Message body is required.');
  if (!form.From && !form.MessagingServiceSid) {
    return twilioError(400, 21603, "A 'From' phone number or a 'MessagingServiceSid' is required.");
  }
  if (form.To === TWILIO_INVALID_NUMBER || !/^\+[1-9]\d{6,14}$/.test(form.To)) {
    return twilioError(400, 21211, `The 'To' number ${form.To} is not a valid phone number.`);
  }
  const messageSid = `SM${randomBytes(16).toString('hex')}`;
  const now = new Date().toUTCString();
  return json(201, {
    sid: messageSid,
    account_sid: sid,
    to: form.To,
    from: form.From ?? null,
    messaging_service_sid: form.MessagingServiceSid ?? null,
    body: form.Body,
    status: 'queued',
    num_segments: '1',
    direction: 'outbound-api',
    api_version: '2010-04-01',
    date_created: now,
    date_updated: now,
    uri: `/2010-04-01/Accounts/${sid}/Messages/${messageSid}.json`,
  });
}
