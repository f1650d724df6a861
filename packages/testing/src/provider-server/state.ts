import type { KeyObject } from 'node:crypto';
import type { ProviderId, ReceivedRequest, ScriptedAnswer } from './types.js';

/** What one test namespace has seen and set up. Tests in parallel files use different namespaces. */
export class Namespace {
  readonly received: ReceivedRequest[] = [];
  readonly scripts = new Map<ProviderId, ScriptedAnswer[]>();
  /** Resend: idempotency key → the fingerprint of the first request and the id it got. */
  readonly idempotency = new Map<string, { fingerprint: string; id: string }>();
  /** Google: service account email → its public key, as Google keeps it after issuing the key file. */
  readonly serviceAccounts = new Map<string, { projectId: string; publicKey: KeyObject }>();
  /** Google: access tokens issued → the project they may send for. */
  readonly accessTokens = new Map<string, string>();
  /** Web Push: subscription id → the user agent's private key and auth secret. */
  readonly subscriptions = new Map<string, { privateKey: Buffer; publicKey: Buffer; auth: Buffer }>();

  /** The next scripted answer for `provider`, if a test queued one. */
  takeScript(provider: ProviderId): ScriptedAnswer | undefined {
    return this.scripts.get(provider)?.shift();
  }
}

/** All namespaces of one server. */
export class ServerState {
  private readonly namespaces = new Map<string, Namespace>();

  get(name: string): Namespace {
    let ns = this.namespaces.get(name);
    if (!ns) {
      ns = new Namespace();
      this.namespaces.set(name, ns);
    }
    return ns;
  }

  reset(name?: string): void {
    if (name === undefined) this.namespaces.clear();
    else this.namespaces.delete(name);
  }
}
