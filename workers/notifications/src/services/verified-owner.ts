import { AppError } from '@onasis/http';
import { identityOf } from './identity-rpc.js';

/**
 * Refuses (403 `EMAIL_NOT_VERIFIED`) a user whose email address is not verified yet. Until the address's owner
 * proves it, the account may be someone else's pre-registration: a device or number set up then would keep receiving
 * the owner's messages after they claim it.
 */
export async function requireVerifiedEmail(env: NotificationsEnv, userId: string): Promise<void> {
  const contact = await identityOf(env).contactOf(userId);
  if (!contact.ok || !contact.data.emailVerified) {
    throw new AppError('EMAIL_NOT_VERIFIED', 'Verify your email address before adding a device or phone number.');
  }
}
