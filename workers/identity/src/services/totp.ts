import { Secret, TOTP } from 'otpauth';

/**
 * TOTP (RFC 6238) with the parameters every authenticator app supports: HMAC-SHA-1, 6 digits, 30-second steps.
 * Apps ignore other values in the otpauth URI (or misread them), so these are not configurable.
 */
const TOTP_ISSUER = 'Onasis';
const TOTP_ALGORITHM = 'SHA1';
const TOTP_DIGITS = 6;
const TOTP_PERIOD_SECONDS = 30;
/** Steps accepted either side of the current one, for clock drift and a code typed as it rolled over. */
const TOTP_WINDOW = 1;
/** Secret size: 160 bits, the HMAC-SHA-1 output length RFC 4226 recommends. */
const SECRET_BYTES = 20;

function totpOf(secretBase32: string, label = 'OTPAuth'): TOTP {
  return new TOTP({
    issuer: TOTP_ISSUER,
    label,
    secret: Secret.fromBase32(secretBase32),
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  });
}

/** A new random TOTP secret, base32 (what authenticator apps take when typed in). */
export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

/** The `otpauth://totp/Onasis:<email>?…` URI an authenticator app scans from a QR code. */
export function otpauthUri(secretBase32: string, email: string): string {
  return totpOf(secretBase32, email).toString();
}

/** The time step of `timestamp` (epoch ms): floor(seconds / 30). */
function totpStep(timestamp = Date.now()): number {
  return TOTP.counter({ period: TOTP_PERIOD_SECONDS, timestamp });
}

/** Whether `code` has the shape of a TOTP code (6 digits), after dropping the spaces apps show in the middle. */
export function normaliseTotpCode(code: string): string | null {
  const digits = code.replace(/\s+/g, '');
  return /^\d{6}$/.test(digits) ? digits : null;
}

/**
 * The time step whose code `code` is, within ±TOTP_WINDOW steps of `timestamp`; null when it matches none. The
 * caller makes the code single use by recording the step (see `spendTotpCode` in mfa.ts).
 */
export function matchTotpStep(secretBase32: string, code: string, timestamp = Date.now()): number | null {
  const token = normaliseTotpCode(code);
  if (token === null) return null;
  const delta = totpOf(secretBase32).validate({ token, timestamp, window: TOTP_WINDOW });
  return delta === null ? null : totpStep(timestamp) + delta;
}
