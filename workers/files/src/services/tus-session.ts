import type { ErrorCode } from '@onasis/contracts';

/** What creates a session: fixed for the upload's life. */
export interface SessionInit {
  uploadId: string;
  length: number;
  /** `Upload-Metadata` as the client sent it, echoed on HEAD. */
  metadata: string;
  expiresAt: string;
  /** Bytes of every part but the last; kept per upload so that a new default never splits one mid-way. */
  partSize: number;
}

/** A session's durable state, in its Durable Object's storage. */
export interface SessionState extends SessionInit {
  /** Bytes durably stored: whole parts plus the tail object's first `tailSize` bytes. */
  offset: number;
  multipartId: string | null;
  parts: R2UploadedPart[];
  tailSize: number;
  /** `assembled`: the multipart upload is completed into `tus/<id>`, not yet stored as a file. */
  status: 'active' | 'assembled' | 'completed' | 'aborted';
  fileId: string | null;
  assembledAt: string | null;
}

/** What HEAD and GET show of a session. */
export type SessionView = Pick<SessionState, 'offset' | 'length' | 'metadata' | 'status' | 'fileId' | 'expiresAt'>;

/** How a PATCH went. */
export type PatchOutcome =
  | { kind: 'stored'; offset: number }
  | { kind: 'offset-mismatch'; offset: number }
  | { kind: 'busy'; offset: number }
  | { kind: 'too-long'; offset: number }
  | { kind: 'interrupted'; offset: number }
  | { kind: 'refused'; code: ErrorCode; detail: string }
  | { kind: 'gone' };

/** Whether the caller may turn the assembled object into a file now. */
export type FinishClaim =
  | { kind: 'claimed'; assembledAt: string }
  | { kind: 'busy' }
  | { kind: 'done'; fileId: string }
  | { kind: 'not-ready' }
  | { kind: 'gone' };

/** The R2 key a tus upload assembles into. */
export const assembledKey = (uploadId: string) => `tus/${uploadId}`;
/** The R2 key of the bytes short of a whole part. */
export const tailKey = (uploadId: string) => `tus/${uploadId}/tail`;

/** The Durable Object of upload `uploadId`. */
export const sessionOf = (env: Pick<FilesEnv, 'UPLOAD_SESSIONS'>, uploadId: string) =>
  env.UPLOAD_SESSIONS.get(env.UPLOAD_SESSIONS.idFromName(uploadId));
