import { DurableObject } from 'cloudflare:workers';
import { AppError } from '@onasis/http';
import { checkContent } from '../services/sniff.js';
import { forgetUpload } from '../services/tus-abort.js';
import { appendBody } from '../services/tus-parts.js';
import { parseMetadata } from '../services/tus-protocol.js';
import {
  assembledKey,
  type FinishClaim,
  type PatchOutcome,
  type SessionInit,
  type SessionState,
  type SessionView,
  tailKey,
} from '../services/tus-session.js';

// A finish claimed this long ago without an answer is taken to have died with its request.
const FINISH_LEASE_MS = 5 * 60 * 1000;
// A PATCH that received nothing for this long yields to a new one: its client is most likely gone (a dropped
// connection is not always noticed at once), and the new PATCH is that client resuming.
export const STALL_MS = 3000;

/** The PATCH in progress. */
interface InFlight {
  lastReadAt: number;
  takeOver: AbortController;
  done: Promise<unknown>;
}

/**
 * One tus upload: its offset, metadata and R2 multipart upload. Being one object per upload, it serialises what must
 * not run twice at once: a PATCH while another is receiving bytes is refused (held in memory, so a PATCH that died
 * with its isolate holds nothing; a stalled one yields after STALL_MS), and one request at a time turns the
 * assembled object into a file. The alarm at expiry aborts
 * an unfinished upload and forgets a finished one.
 */
export class UploadSession extends DurableObject<FilesEnv> {
  private state: SessionState | undefined;
  private inFlight: InFlight | undefined;
  private finishClaimedAt = 0;

  private async load(): Promise<SessionState | undefined> {
    this.state ??= await this.ctx.storage.get<SessionState>('state');
    return this.state;
  }

  private async save(): Promise<void> {
    if (this.state) await this.ctx.storage.put('state', this.state);
  }

  /**
   * Starts the session: creates the R2 multipart upload and sets the expiry alarm. Called again (a retried creation)
   * it changes nothing. An empty upload has nothing to assemble: its empty object is written at once.
   */
  async init(init: SessionInit): Promise<SessionView> {
    const existing = await this.load();
    if (existing) return viewOf(existing);
    const bucket = this.env.FILES_BUCKET;
    const state: SessionState = {
      ...init,
      offset: 0,
      multipartId: null,
      parts: [],
      tailSize: 0,
      status: 'active',
      fileId: null,
      assembledAt: null,
    };
    if (init.length === 0) {
      await bucket.put(assembledKey(init.uploadId), new Uint8Array(0));
      Object.assign(state, { status: 'assembled', assembledAt: new Date().toISOString() });
    } else {
      state.multipartId = (await bucket.createMultipartUpload(assembledKey(init.uploadId))).uploadId;
    }
    this.state = state;
    await this.save();
    await this.ctx.storage.setAlarm(Date.parse(init.expiresAt));
    return viewOf(state);
  }

  /** The session as HEAD shows it, or null when it never started or was forgotten. */
  async view(): Promise<SessionView | null> {
    const state = await this.load();
    return state ? viewOf(state) : null;
  }

  /**
   * Appends a PATCH body at `offset` (see `appendBody`), one at a time: a PATCH meeting another that is receiving
   * bytes is refused (busy); one meeting a stalled PATCH stops it (what it received is kept) and goes on if its offset
   * is still right.
   */
  async patch(offset: number, body: ReadableStream<Uint8Array>): Promise<PatchOutcome> {
    const state = await this.load();
    if (!state || state.status === 'aborted') return { kind: 'gone' };
    const held = this.inFlight;
    if (held && Date.now() - held.lastReadAt < STALL_MS) return { kind: 'busy', offset: state.offset };
    if (held) {
      held.takeOver.abort();
      await held.done.catch(() => {});
    }
    // Checked and taken with no await between, so that of two PATCHes waiting on a stalled one only one goes on.
    if (this.inFlight) return { kind: 'busy', offset: state.offset };
    if (state.status !== 'active' || offset !== state.offset) return { kind: 'offset-mismatch', offset: state.offset };
    const flight: InFlight = { lastReadAt: Date.now(), takeOver: new AbortController(), done: Promise.resolve() };
    const run = this.append(state, body, flight);
    flight.done = run;
    this.inFlight = flight;
    try {
      return await run;
    } finally {
      if (this.inFlight === flight) this.inFlight = undefined;
    }
  }

  private async append(state: SessionState, body: ReadableStream<Uint8Array>, flight: InFlight): Promise<PatchOutcome> {
    let refusal: AppError | undefined;
    const end = await appendBody(this.env.FILES_BUCKET, state, body, {
      save: () => this.save(),
      isLive: () => state.status === 'active',
      onRead: () => {
        flight.lastReadAt = Date.now();
      },
      takeOver: flight.takeOver.signal,
      checkHead: async (head) => {
        try {
          await checkContent(this.env, head, parseMetadata(state.metadata).filetype);
          return true;
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          refusal = err;
          return false;
        }
      },
    });
    if (end === 'stopped') return { kind: 'gone' };
    // Errors lose their code across RPC, so the refusal travels as values.
    if (end === 'refused')
      return { kind: 'refused', code: refusal?.code ?? 'BAD_REQUEST', detail: refusal?.detail ?? '' };
    if (state.offset === state.length) await this.assemble(state);
    if (end === 'ended') return { kind: 'stored', offset: state.offset };
    return { kind: end, offset: state.offset };
  }

  /**
   * Completes the multipart upload once every byte is stored. Retried after a crash between "completed" and "saved",
   * the completion fails (R2 forgot the multipart upload) while the object is whole: that counts as done.
   */
  private async assemble(state: SessionState): Promise<void> {
    if (state.status !== 'active' || state.offset !== state.length) return;
    const bucket = this.env.FILES_BUCKET;
    try {
      await bucket.resumeMultipartUpload(assembledKey(state.uploadId), state.multipartId ?? '').complete(state.parts);
    } catch (err) {
      const head = await bucket.head(assembledKey(state.uploadId));
      if (head?.size !== state.length) throw err;
    }
    state.status = 'assembled';
    state.assembledAt = new Date().toISOString();
    await this.save();
    await bucket.delete(tailKey(state.uploadId));
  }

  /** Claims the step that stores the assembled object as a file; completes a stalled assembly first. */
  async claimFinish(): Promise<FinishClaim> {
    const state = await this.load();
    if (!state || state.status === 'aborted') return { kind: 'gone' };
    if (state.status === 'completed' && state.fileId) return { kind: 'done', fileId: state.fileId };
    if (this.inFlight) return { kind: 'busy' };
    await this.assemble(state);
    if (state.status !== 'assembled' || !state.assembledAt) return { kind: 'not-ready' };
    if (Date.now() - this.finishClaimedAt < FINISH_LEASE_MS) return { kind: 'busy' };
    this.finishClaimedAt = Date.now();
    return { kind: 'claimed', assembledAt: state.assembledAt };
  }

  /** Records the file the upload became (idempotent: the first file id stays). */
  async finished(fileId: string): Promise<void> {
    const state = await this.load();
    if (!state || state.status === 'completed') return;
    state.status = 'completed';
    state.fileId = fileId;
    await this.save();
    this.finishClaimedAt = 0;
  }

  /** Gives a failed finish back, so that the next request may try again. */
  async releaseFinish(): Promise<void> {
    this.finishClaimedAt = 0;
  }

  /**
   * Stops the upload and deletes its bytes (multipart upload, tail, assembled object). Idempotent; a finished upload
   * is left alone and answers false. A PATCH in flight sees the state turn `aborted` and writes nothing more.
   */
  async abort(): Promise<boolean> {
    const state = await this.load();
    if (state?.status === 'completed') return false;
    if (state) {
      const bucket = this.env.FILES_BUCKET;
      if (state.multipartId && state.status === 'active') {
        await bucket
          .resumeMultipartUpload(assembledKey(state.uploadId), state.multipartId)
          .abort()
          .catch(() => {});
      }
      state.status = 'aborted';
      await this.save();
      await bucket.delete([tailKey(state.uploadId), assembledKey(state.uploadId)]);
    }
    return true;
  }

  /** At expiry: an unfinished upload is aborted (bytes, reservation, index row); a finished one is forgotten. */
  override async alarm(): Promise<void> {
    const state = await this.load();
    if (!state) return;
    if (state.status !== 'completed') {
      await this.abort();
      await forgetUpload(this.env, state.uploadId);
    }
    // From here the index row answers for the upload (completed, or gone: 410).
    await this.ctx.storage.deleteAll();
    this.state = undefined;
  }
}

function viewOf(state: SessionState): SessionView {
  const { offset, length, metadata, status, fileId, expiresAt } = state;
  return { offset, length, metadata, status, fileId, expiresAt };
}
