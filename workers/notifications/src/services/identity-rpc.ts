import type { RpcResult, UserContact } from '@onasis/contracts';

/** The identity Worker's RPC methods this Worker calls. */
interface IdentityRpc {
  contactOf(userId: string): Promise<RpcResult<UserContact>>;
}

/**
 * The `IDENTITY` binding with the methods this Worker calls. Its generated type is an untyped `Service` (naming
 * identity's entrypoint type would pull identity's source into this Worker's type check), so it is narrowed here once.
 */
export const identityOf = (env: NotificationsEnv): IdentityRpc => env.IDENTITY as unknown as IdentityRpc;
