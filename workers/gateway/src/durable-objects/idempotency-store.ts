import { DurableObject } from 'cloudflare:workers';

/** How long a finished request's response is replayed for its key. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * How long an unfinished request holds its key. Longer than the gateway's upstream timeout (15 s) with room to spare,
 * so a live request never loses its key; short enough that a request whose isolate died frees the key in a minute.
 */
export const IDEMPOTENCY_LEASE_MS = 60 * 1000;

/** A response as the store keeps it: enough to answer a replay byte for byte. */
export interface StoredResponse {
  status: number;
  /** Combined as `Headers` joins them; empty when `sealed` (the headers are inside the seal). */
  headers: Record<string, string>;
  /** The body; when `sealed`, the AES-GCM seal of headers, cookies and body (see middleware/idempotency.ts). */
  body: ArrayBuffer;
  /** Whether the response carried secrets (`no-store`, `Set-Cookie`) and is kept only as ciphertext. */
  sealed?: boolean;
  /** Route template and service the first request reported, so a replay is logged and counted under the same route. */
  routeTemplate: string | null;
  service: string | null;
}

type IdempotencyRecord =
  | { state: 'in_progress'; fingerprint: string; token: string; leaseUntil: number }
  | { state: 'done'; fingerprint: string; response: StoredResponse; expiresAt: number };

/** What `begin` decided; only `new` lets the request run, and its `token` must come back to `complete`/`release`. */
type BeginResult =
  | { outcome: 'new'; token: string }
  | { outcome: 'in_progress' }
  | { outcome: 'mismatch' }
  | { outcome: 'done'; response: StoredResponse };

const RECORD = 'record';

/**
 * The record of one idempotency key of one caller (`idFromName(scope + key)`). One object per key means the check
 * and the claim in `begin` run in one single-threaded, storage-synchronous step, so two concurrent duplicates cannot
 * both start. The object's single alarm always points at the end of its record's life and deletes it then.
 *
 * Times come from the caller (the gateway isolate) so that a record's clock is the one that measured the request.
 */
export class IdempotencyStore extends DurableObject<GatewayEnv> {
  private readonly kv: SyncKvStorage;

  constructor(ctx: DurableObjectState, env: GatewayEnv) {
    super(ctx, env);
    this.kv = ctx.storage.kv;
  }

  /** Claims the key for a request with `fingerprint`, or says why it cannot run. */
  async begin(fingerprint: string, now: number): Promise<BeginResult> {
    const record = this.kv.get<IdempotencyRecord>(RECORD);
    const live = record !== undefined && (record.state === 'done' ? record.expiresAt > now : record.leaseUntil > now);
    if (live) {
      if (record.fingerprint !== fingerprint) return { outcome: 'mismatch' };
      return record.state === 'done' ? { outcome: 'done', response: record.response } : { outcome: 'in_progress' };
    }
    // No record, or one whose time is up (an expired response, or the lease of a request that never finished).
    const token = crypto.randomUUID();
    const leaseUntil = now + IDEMPOTENCY_LEASE_MS;
    this.kv.put<IdempotencyRecord>(RECORD, { state: 'in_progress', fingerprint, token, leaseUntil });
    await this.ctx.storage.setAlarm(leaseUntil);
    return { outcome: 'new', token };
  }

  /** Keeps the response of the request holding `token` for replays; false when its lease was lost meanwhile. */
  async complete(token: string, response: StoredResponse, now: number): Promise<boolean> {
    const record = this.kv.get<IdempotencyRecord>(RECORD);
    if (record?.state !== 'in_progress' || record.token !== token) return false;
    const expiresAt = now + IDEMPOTENCY_TTL_MS;
    this.kv.put<IdempotencyRecord>(RECORD, { state: 'done', fingerprint: record.fingerprint, response, expiresAt });
    await this.ctx.storage.setAlarm(expiresAt);
    return true;
  }

  /** Frees the key held by `token` without keeping a response, so that a retry runs the request again. */
  async release(token: string): Promise<void> {
    const record = this.kv.get<IdempotencyRecord>(RECORD);
    if (record?.state !== 'in_progress' || record.token !== token) return;
    await this.ctx.storage.deleteAll();
    await this.ctx.storage.deleteAlarm();
  }

  /** The record's time is up: each state change moved the alarm to its end, so there is nothing left to keep. */
  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}
