import type { ProviderId, ReceivedRequest, ScriptedAnswer, TestPushSubscription } from './types.js';

export * from './types.js';

/**
 * A namespace of its own on the local provider server, driven from a test inside workerd: `base` is the base URL
 * to give a provider client; the other members read and script what that namespace's providers see and answer.
 */
export function providerNamespace(origin: string) {
  const ns = `ns-${crypto.randomUUID()}`;
  const control = async (path: string, body?: unknown) => {
    const res = await fetch(`${origin}${path}${path.includes('?') ? '&' : '?'}ns=${ns}`, {
      method: body === undefined && path.startsWith('/__received') ? 'GET' : 'POST',
      ...(body !== undefined && { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    if (!res.ok) throw new Error(`provider server ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? null : res.json();
  };
  return {
    base: `${origin}/${ns}`,
    /** Queues the next answers of `provider`, in place of its normal ones. */
    script: (provider: ProviderId, answers: ScriptedAnswer[]) => control('/__script', { provider, answers }),
    /** Every request the provider received in this namespace, oldest first. */
    received: async (provider: ProviderId) => (await control(`/__received?provider=${provider}`)) as ReceivedRequest[],
    /** A Google service-account key file whose token endpoint is this namespace's. */
    serviceAccount: async (projectId: string) =>
      (await control('/__google/service-accounts', { projectId })) as Record<string, string>,
    /** A Web Push subscription whose private key the server keeps to decrypt what it receives. */
    pushSubscription: async () => (await control('/__webpush/subscriptions', {})) as TestPushSubscription,
  };
}
