import type { Category, Channel } from '@onasis/contracts';

/** A template's content; `text` is also the body of SMS, push, chat and in-app messages, `subject` the push title. */
export interface TemplateContent {
  channels: Channel[];
  category: Category;
  subject: string;
  text: string;
  html: string | null;
}

const layout = (title: string, body: string) =>
  `<!doctype html><html><body style="font-family:system-ui,sans-serif;max-width:560px;margin:auto;padding:24px">` +
  `<h1 style="font-size:20px">${title}</h1>${body}` +
  `<p style="color:#666;font-size:12px">Onasis. You receive this message because of activity on your account.</p>` +
  `</body></html>`;

const button = (label: string) =>
  `<p><a href="{{url}}" style="background:#2563eb;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">${label}</a></p>` +
  `<p style="font-size:12px">Or paste this link into your browser: {{url}}</p>`;

/** A billing notice: an email and the same text in the in-app inbox. */
const billing = (subject: string, text: string, body: string): TemplateContent => ({
  channels: ['email', 'inapp'],
  category: 'billing',
  subject,
  text,
  html: layout(subject, body),
});

/**
 * The templates the payments Worker sends (its `PAYMENT_TEMPLATES`). Every one gets `amount` (minor units),
 * `currency` (lower-case ISO 4217), `amountFormatted` (`20.00 USD`, what the text shows) and `paymentId`; besides:
 * - `payments.receipt`: `description` (may be empty);
 * - `payments.refund`: `refundId`;
 * - `payments.payment-failed`: `reason` (the provider's message), `declineCode`;
 * - `payments.renewal-failed`: `plan`, `subscriptionId`, `graceUntil` (ISO 8601: the plan is kept until then),
 *   `invoiceUrl` (may be empty: where to pay);
 * - `payments.subscription-canceled`: `plan`, `subscriptionId`, `endsAt` (ISO 8601, may be empty: at once);
 * - `payments.dispute-opened` (to admins): `disputeId`, `reason`, `status`, `evidenceDueBy` (ISO 8601, may be empty).
 * The subscription templates carry the plan's price as `amount`/`currency`/`amountFormatted`, and `paymentId` only
 * when a payment is involved.
 */
const PAYMENT_TEMPLATES: Record<string, Record<string, TemplateContent>> = {
  'payments.receipt': {
    en: billing(
      'Your payment of {{amountFormatted}}',
      'Thank you. We received your payment of {{amountFormatted}}{{#description}} for {{description}}{{/description}}.' +
        '\n\nPayment: {{paymentId}}\n\nKeep this message as your receipt.',
      '<p>Thank you. We received your payment of <strong>{{amountFormatted}}</strong>{{#description}} for ' +
        '{{description}}{{/description}}.</p><p>Payment: {{paymentId}}</p><p>Keep this message as your receipt.</p>',
    ),
  },
  'payments.refund': {
    en: billing(
      'Your refund of {{amountFormatted}}',
      'We refunded {{amountFormatted}} of your payment {{paymentId}}. Depending on your bank, it reaches your ' +
        'account within 5 to 10 business days.\n\nRefund: {{refundId}}',
      '<p>We refunded <strong>{{amountFormatted}}</strong> of your payment {{paymentId}}. Depending on your bank, ' +
        'it reaches your account within 5 to 10 business days.</p><p>Refund: {{refundId}}</p>',
    ),
  },
  'payments.payment-failed': {
    en: billing(
      'Your payment of {{amountFormatted}} did not go through',
      'Your payment of {{amountFormatted}} was declined: {{reason}}\n\nNo money was taken. Try again with another ' +
        'payment method, or ask your bank.\n\nPayment: {{paymentId}}',
      '<p>Your payment of <strong>{{amountFormatted}}</strong> was declined: {{reason}}</p><p>No money was taken. ' +
        'Try again with another payment method, or ask your bank.</p><p>Payment: {{paymentId}}</p>',
    ),
  },
  'payments.renewal-failed': {
    en: billing(
      'We could not renew your {{plan}} plan',
      'The payment of {{amountFormatted}} for your {{plan}} plan failed. You keep the plan until {{graceUntil}} ' +
        'while we try again.{{#invoiceUrl}} Pay now: {{invoiceUrl}}{{/invoiceUrl}}\n\nSubscription: {{subscriptionId}}',
      '<p>The payment of <strong>{{amountFormatted}}</strong> for your {{plan}} plan failed. You keep the plan until ' +
        '{{graceUntil}} while we try again.</p>{{#invoiceUrl}}<p><a href="{{invoiceUrl}}">Pay now</a></p>{{/invoiceUrl}}' +
        '<p>Subscription: {{subscriptionId}}</p>',
    ),
  },
  'payments.subscription-canceled': {
    en: billing(
      'Your {{plan}} plan is canceled',
      'Your {{plan}} subscription is canceled{{#endsAt}}; it ends on {{endsAt}}{{/endsAt}}. After that your account ' +
        'is on the free plan. You can subscribe again at any time.\n\nSubscription: {{subscriptionId}}',
      '<p>Your {{plan}} subscription is canceled{{#endsAt}}; it ends on {{endsAt}}{{/endsAt}}. After that your ' +
        'account is on the free plan. You can subscribe again at any time.</p><p>Subscription: {{subscriptionId}}</p>',
    ),
  },
  'payments.dispute-opened': {
    en: billing(
      'Dispute opened: {{amountFormatted}} on {{paymentId}}',
      'A cardholder disputed {{amountFormatted}} of payment {{paymentId}} (reason: {{reason}}; status: {{status}}).' +
        '{{#evidenceDueBy}} Evidence is due by {{evidenceDueBy}}.{{/evidenceDueBy}}\n\nDispute: {{disputeId}}',
      '<p>A cardholder disputed <strong>{{amountFormatted}}</strong> of payment {{paymentId}} (reason: {{reason}}; ' +
        'status: {{status}}).</p>{{#evidenceDueBy}}<p>Evidence is due by {{evidenceDueBy}}.</p>{{/evidenceDueBy}}' +
        '<p>Dispute: {{disputeId}}</p>',
    ),
  },
};

/**
 * The templates identity sends (IDENTITY_TEMPLATES), this Worker's own, and the payments ones above, in English, as
 * version 1 of their `en` locale. They ship in code so that a fresh database sends them; an admin may publish newer versions or other locales, never delete them.
 */
export const BUILT_IN_TEMPLATES: Record<string, Record<string, TemplateContent>> = {
  'identity.verify-email': {
    en: {
      channels: ['email'],
      category: 'security',
      subject: 'Confirm your email address',
      text:
        'Hello{{#name}} {{name}}{{/name}},\n\n{{#newEmail}}Confirm that this is your new email address{{/newEmail}}' +
        '{{^newEmail}}Welcome to Onasis. Confirm your email address{{/newEmail}} by opening this link:\n\n{{url}}\n\n' +
        'The link works once and expires in 24 hours. If you did not ask for this, ignore this message.',
      html: layout(
        'Confirm your email address',
        '<p>Hello{{#name}} {{name}}{{/name}},</p><p>{{#newEmail}}Confirm that this is your new email address.{{/newEmail}}' +
          '{{^newEmail}}Welcome to Onasis. Confirm your email address to finish setting up your account.{{/newEmail}}</p>' +
          `${button('Confirm email address')}<p>The link works once and expires in 24 hours. If you did not ask for this, ignore this message.</p>`,
      ),
    },
  },
  'identity.reset-password': {
    en: {
      channels: ['email'],
      category: 'security',
      subject: 'Reset your password',
      text:
        'Hello{{#name}} {{name}}{{/name}},\n\nSomeone (hopefully you) asked to reset the password of your Onasis ' +
        'account. Choose a new password here:\n\n{{url}}\n\nThe link works once and expires in one hour. If you did ' +
        'not ask for it, ignore this message: your password stays as it is.',
      html: layout(
        'Reset your password',
        '<p>Hello{{#name}} {{name}}{{/name}},</p><p>Someone (hopefully you) asked to reset the password of your Onasis account.</p>' +
          `${button('Choose a new password')}<p>The link works once and expires in one hour. If you did not ask for it, ignore this message: your password stays as it is.</p>`,
      ),
    },
  },
  'identity.new-sign-in': {
    en: {
      channels: ['email', 'push', 'inapp'],
      category: 'security',
      subject: 'New sign-in to your account',
      text:
        'Your Onasis account was signed in to from a new device.\n\nDevice: {{device}}\nIP address: {{ip}}\n' +
        'Method: {{method}}\nTime: {{at}}\n\nIf this was you, there is nothing to do. If not, change your password ' +
        'now and sign out of all sessions.',
      html: layout(
        'New sign-in to your account',
        '<p>Your Onasis account was signed in to from a new device.</p><ul><li>Device: {{device}}</li>' +
          '<li>IP address: {{ip}}</li><li>Method: {{method}}</li><li>Time: {{at}}</li></ul>' +
          '<p>If this was you, there is nothing to do. If not, change your password now and sign out of all sessions.</p>',
      ),
    },
  },
  'identity.mfa-changed': {
    en: {
      channels: ['email', 'inapp'],
      category: 'security',
      subject: 'Your two-factor authentication changed',
      text:
        'The two-factor authentication of your Onasis account changed: {{change}}.\n\nIf you did not do this, ' +
        'change your password now and contact support.',
      html: layout(
        'Your two-factor authentication changed',
        '<p>The two-factor authentication of your Onasis account changed: <strong>{{change}}</strong>.</p>' +
          '<p>If you did not do this, change your password now and contact support.</p>',
      ),
    },
  },
  'identity.email-changed': {
    en: {
      channels: ['email'],
      category: 'security',
      subject: 'Your email address changed',
      text:
        'The email address of your Onasis account changed from {{oldEmail}} to {{newEmail}}.\n\nMessages now go to ' +
        'the new address. If you did not make this change, contact support at once.',
      html: layout(
        'Your email address changed',
        '<p>The email address of your Onasis account changed from <strong>{{oldEmail}}</strong> to ' +
          '<strong>{{newEmail}}</strong>.</p><p>Messages now go to the new address. If you did not make this change, contact support at once.</p>',
      ),
    },
  },
  // To the owner of an address someone tried to register again: register answers the same either way, so this is
  // how the owner (and only the owner) learns of it. No name of the person who tried: they choose nothing in it.
  'identity.register-attempt': {
    en: {
      channels: ['email'],
      category: 'security',
      subject: 'Someone tried to register with your email address',
      text:
        'Hello{{#name}} {{name}}{{/name}},\n\nSomeone tried to create an Onasis account with this email address, ' +
        'which already has one. No new account was made and nothing changed.\n\nIf it was you, sign in instead; ' +
        'if you forgot your password, reset it here:\n\n{{url}}\n\nIf it was not you, you can ignore this message.',
      html: layout(
        'Someone tried to register with your email address',
        '<p>Hello{{#name}} {{name}}{{/name}},</p><p>Someone tried to create an Onasis account with this email address, ' +
          'which already has one. No new account was made and nothing changed.</p><p>If it was you, sign in instead; ' +
          `if you forgot your password, reset it:</p>${button('Reset your password')}` +
          '<p>If it was not you, you can ignore this message.</p>',
      ),
    },
  },
  // Sent by this Worker itself when a user sets an SMS number: SMS goes only to numbers proven to be theirs.
  'notifications.verify-phone': {
    en: {
      channels: ['sms'],
      category: 'security',
      subject: 'Your verification code',
      text: 'Your Onasis verification code is {{code}}. It expires in 10 minutes. Do not share it.',
      html: null,
    },
  },
  ...PAYMENT_TEMPLATES,
};
