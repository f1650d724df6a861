import type { Principal } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { dbOf } from '../db/client.js';
import { sandboxAllowed } from '../providers/index.js';
import { type SandboxEnv, SandboxProvider } from '../providers/sandbox.js';
import { actionAllowed } from './intent-states.js';
import { conflict, findPayment, type PaymentRow } from './payment-rows.js';

/**
 * The buyer's answer on the sandbox's 3-D Secure page, for the owner of a sandbox payment only (any other is a 404).
 * The result reaches the payment as a sandbox event through the event path, as a real provider's webhook would; the
 * answer is the payment as it stands, still `requires_action` until the consumer applies the event. Answering twice
 * for one attempt sends one event (its id is derived from the attempt).
 */
export async function sandboxAuthenticate(
  env: SandboxEnv,
  caller: Principal,
  id: string,
  outcome: 'succeed' | 'fail',
): Promise<{ payment: PaymentRow; eventId: string }> {
  const payment = await findPayment(dbOf(env.DB), id, caller, { ownerOnly: true });
  if (payment.provider !== 'sandbox' || payment.providerIntentId === null || !sandboxAllowed(env)) {
    throw new AppError('NOT_FOUND', `No sandbox payment ${id}.`);
  }
  if (!actionAllowed('authenticate', payment.status))
    throw conflict(payment, 'only requires_action can be authenticated');
  const event = await new SandboxProvider(env).authenticate(payment.providerIntentId, outcome);
  if (!event) throw new AppError('NOT_FOUND', `No sandbox payment ${id}.`);
  return { payment, eventId: event.id };
}
