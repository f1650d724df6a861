import { AppError } from '@onasis/http';
import { COMMON_PASSWORDS } from '../data/common-passwords.js';

/** Length bounds in Unicode code points; longer is refused rather than silently truncated. */
const PASSWORD_MIN_LENGTH = 8;
const PASSWORD_MAX_LENGTH = 128;

let common: Set<string> | undefined;

/** Whether `password` is in the shipped list of common passwords (compared lower-cased). */
function isCommonPassword(password: string): boolean {
  common ??= new Set(COMMON_PASSWORDS.split('\n'));
  return common.has(password.toLowerCase());
}

/** How many entries the shipped list has. */
export function commonPasswordCount(): number {
  common ??= new Set(COMMON_PASSWORDS.split('\n'));
  return common.size;
}

/**
 * Refuses a new password that is too short, too long, common, or the account's own email address. Any Unicode is
 * allowed; hashing normalises to NFC.
 */
export function assertAcceptablePassword(password: string, email?: string): void {
  const length = [...password].length;
  const reject = (detail: string) => {
    throw new AppError('PASSWORD_REJECTED', detail, { errors: [{ path: 'password', message: detail }] });
  };
  if (length < PASSWORD_MIN_LENGTH) reject(`Use at least ${PASSWORD_MIN_LENGTH} characters.`);
  if (length > PASSWORD_MAX_LENGTH) reject(`Use at most ${PASSWORD_MAX_LENGTH} characters.`);
  if (isCommonPassword(password)) reject('This password is too common; choose one that is harder to guess.');
  if (email && password.toLowerCase() === email.toLowerCase()) reject('The password must not be your email address.');
}
