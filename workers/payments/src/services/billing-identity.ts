import type { RpcResult } from '@onasis/contracts';

/** The identity Worker's RPC methods payments calls. */
interface IdentityRpc {
  setPlan(userId: string, plan: string): Promise<RpcResult<{ plan: string; changed: boolean }>>;
}

/**
 * The `IDENTITY` binding with the methods payments calls. Its generated type is an untyped `Service` (naming
 * identity's entrypoint type would pull identity's source into this Worker's type check), so it is narrowed here once.
 */
const identityOf = (env: Pick<PaymentsEnv, 'IDENTITY'>): IdentityRpc => env.IDENTITY as unknown as IdentityRpc;

/**
 * Sets the user's plan in identity, or throws, so that the event being applied is retried by the queue: setPlan is
 * idempotent, so a repeat is harmless. An unknown user (deleted meanwhile) has no plan to set: nothing to do.
 */
export async function setUserPlan(env: Pick<PaymentsEnv, 'IDENTITY'>, userId: string, plan: string): Promise<void> {
  const result = await identityOf(env).setPlan(userId, plan);
  if (result.ok || result.error.code === 'NOT_FOUND') return;
  throw new Error(`identity refused plan ${plan} for ${userId}: ${result.error.code} ${result.error.detail ?? ''}`);
}
