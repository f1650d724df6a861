import { exports } from 'cloudflare:workers';
import { ERROR_CODES, type ErrorCode, problemType } from '@onasis/contracts';
import { takesRawBody } from '../../src/config.js';
import { bearer, request, type SignedIn, signedInUser } from '../identity-fixtures.js';
import type { Body, HostileCase } from './hostile-cases.js';

export type Role = 'anonymous' | 'member' | 'admin';

/** Who sends a case: nobody, or a signed-in user of the file's own making. */
export interface Caller {
  role: Role;
  signedIn: SignedIn | undefined;
}

/**
 * One signed-in user per role, made for this file and replaced whenever the fuzzing took it away: an operation can
 * sign its caller out, delete or disable it, or change its roles. So a destructive case costs the next operation
 * nothing, and no user another test file relies on is ever touched.
 */
export class Callers {
  private readonly current = new Map<Role, Caller>();

  async of(role: Role): Promise<Caller> {
    const known = this.current.get(role);
    if (known) return known;
    const caller: Caller = { role, signedIn: role === 'anonymous' ? undefined : await signedInUser([role]) };
    this.current.set(role, caller);
    return caller;
  }

  /** Replaces `role`'s user if it can no longer read its own profile with its role intact. */
  async recheck(role: Role): Promise<void> {
    const caller = this.current.get(role);
    if (!caller?.signedIn) return;
    const res = await request('/api/v1/users/me', bearer(caller.signedIn.accessToken));
    const me = res.status === 200 ? await res.json<{ status: string; roles: string[] }>() : await res.text();
    if (typeof me === 'string' || me.status !== 'active' || !me.roles.includes(role)) this.current.delete(role);
  }
}

const STREAM_CHUNK = new TextEncoder().encode('x'.repeat(64 * 1024));

/** A JSON-looking body of `bytes` bytes, streamed in chunks so that no length is declared. */
function streamOf(bytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent === 0) {
        controller.enqueue(new TextEncoder().encode('{"a":"'));
        sent += 6;
        return;
      }
      if (sent >= bytes) {
        controller.close();
        return;
      }
      const chunk = STREAM_CHUNK.subarray(0, Math.min(STREAM_CHUNK.length, bytes - sent));
      controller.enqueue(chunk);
      sent += chunk.length;
    },
  });
}

function bodyInit(body: Body): BodyInit {
  if ('text' in body) return body.text;
  if ('bytes' in body) return body.bytes;
  return streamOf(body.streamed);
}

/** The request a case describes, sent by `caller`. */
export function requestOf(c: HostileCase, caller: Caller): Request {
  const headers = new Headers();
  if (caller.signedIn) headers.set('authorization', `Bearer ${caller.signedIn.accessToken}`);
  if (c.body && c.contentType === undefined) headers.set('content-type', 'application/json');
  if (c.contentType) headers.set('content-type', c.contentType);
  for (const edit of c.headers) {
    if (edit.append) headers.append(edit.name, edit.value);
    else headers.set(edit.name, edit.value);
  }
  return new Request(`http://gateway${c.target}`, {
    method: c.method,
    headers,
    ...(c.body && { body: bodyInit(c.body) }),
  });
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function excerpt(text: string, max = 160): string {
  const shown = JSON.stringify(text.length > max ? text.slice(0, max) : text);
  return text.length > max ? `${shown}… (${text.length} chars)` : shown;
}

/** A case and its caller, written so that a developer can replay it by hand. */
export function describeCase(c: HostileCase, role: Role): string {
  const parts = [`${c.method} ${excerpt(c.target, 200)} as ${role}`];
  if (c.contentType !== undefined)
    parts.push(`content-type: ${c.contentType === null ? '(none)' : excerpt(c.contentType, 60)}`);
  for (const h of c.headers.slice(0, 3)) parts.push(`${h.append ? '+' : ''}${h.name}: ${excerpt(h.value, 60)}`);
  if (c.headers.length > 3) parts.push(`… ${c.headers.length} headers`);
  if (c.body) {
    if ('text' in c.body) parts.push(`body ${excerpt(c.body.text)}`);
    else if ('bytes' in c.body) parts.push(`body (bytes) ${excerpt(new TextDecoder().decode(c.body.bytes))}`);
    else parts.push(`body streamed, ${c.body.streamed} bytes, no length`);
  }
  return `[${c.kind}] ${parts.join(' | ')}`;
}

/** What is wrong with the answer to a case, by the platform's HTTP contract; empty when nothing is. */
export function contractBreaches(c: HostileCase, role: Role, res: Response, text: string): string[] {
  const out: string[] = [];
  const requestId = res.headers.get('x-request-id');
  if (requestId === null || !SANE_REQUEST_ID.test(requestId)) out.push(`X-Request-Id is ${excerpt(String(requestId))}`);
  if (res.status >= 500) out.push(`answered ${res.status}: ${excerpt(text, 300)}`);
  // Only an admin may act on other users, and not even an admin through `/users/me/…`, which is the caller's own.
  const ownScope = /\/me(\/|$)/.test(new URL(c.target, 'http://gateway').pathname);
  if (c.namesVictim && res.status < 300 && (role !== 'admin' || ownScope)) {
    out.push(`reached another user's object with ${res.status}: ${excerpt(text)}`);
  }
  // The body guard runs before anything else reads a body, for every caller: too large is 413, declared or streamed.
  const oversized = c.kind === 'oversized-declared' || c.kind === 'oversized-streamed' || c.kind === 'pinned-oversized';
  if (oversized && res.status !== 413 && !takesRawBody(new URL(c.target, 'http://gateway').pathname)) {
    out.push(`a body over the limit answered ${res.status}, not 413`);
  }
  if (res.status === 405 && !res.headers.get('allow')) out.push('405 without Allow');
  if (res.status < 400 || res.status >= 500) return out;
  const type = res.headers.get('content-type');
  // The S3 API speaks S3's own XML errors, which S3 clients read; the gateway's refusals there stay problems.
  // S3 answers a HEAD it refuses with the status alone.
  const s3 = /^\/s3(\/|$)/.test(new URL(c.target, 'http://gateway').pathname);
  if (s3 && (/^application\/xml\b/.test(type ?? '') || (c.method === 'HEAD' && text === ''))) {
    return [...out, ...s3ErrorBreaches(c, text, requestId)];
  }
  if (type !== 'application/problem+json') {
    out.push(`${res.status} with content-type ${type}: ${excerpt(text)}`);
    return out;
  }
  // A HEAD answer has the headers of the GET one and no body to look into.
  if (c.method === 'HEAD') return out;
  let problem: Record<string, unknown>;
  try {
    problem = JSON.parse(text) as Record<string, unknown>;
  } catch {
    out.push(`${res.status} problem body is not JSON: ${excerpt(text)}`);
    return out;
  }
  const code = problem.code as ErrorCode;
  const registered = typeof code === 'string' ? ERROR_CODES[code] : undefined;
  if (!registered) out.push(`unregistered code ${excerpt(String(code))}`);
  if (problem.status !== res.status) out.push(`problem status ${problem.status} on HTTP ${res.status}`);
  if (registered && registered.status !== res.status)
    out.push(`${code} is ${registered.status}, answered ${res.status}`);
  if (registered && problem.title !== registered.title) out.push(`title ${excerpt(String(problem.title))} for ${code}`);
  if (registered && problem.type !== problemType(code)) out.push(`type ${excerpt(String(problem.type))} for ${code}`);
  if (problem.requestId !== requestId) out.push(`requestId ${excerpt(String(problem.requestId))} ≠ ${requestId}`);
  if (code === 'VALIDATION_FAILED') {
    const errors = problem.errors;
    const wellFormed =
      Array.isArray(errors) &&
      errors.length > 0 &&
      errors.every(
        (e) => typeof e === 'object' && e !== null && typeof e.path === 'string' && typeof e.message === 'string',
      );
    if (!wellFormed) out.push(`VALIDATION_FAILED without a non-empty errors list: ${excerpt(text, 300)}`);
  }
  return out;
}

/** What is wrong with an S3 XML error: it names a code and carries the request id, as S3's `<Error>` does. */
function s3ErrorBreaches(c: HostileCase, text: string, requestId: string | null): string[] {
  if (c.method === 'HEAD') return [];
  const out: string[] = [];
  if (!/^(<\?xml[^>]*\?>\s*)?<Error>[\s\S]*<Code>[A-Za-z]+<\/Code>[\s\S]*<\/Error>\s*$/.test(text)) {
    out.push(`S3 error is not an <Error> with a <Code>: ${excerpt(text)}`);
  }
  if (requestId !== null && !text.includes(`<RequestId>${requestId}</RequestId>`)) {
    out.push(`S3 error without <RequestId>${requestId}</RequestId>`);
  }
  return out;
}

/** Sends a case as `caller` through the gateway's own entry point; its status and any breach of the contract. */
export async function drive(c: HostileCase, caller: Caller): Promise<{ status: number; breaches: string[] }> {
  const res = await exports.default.fetch(requestOf(c, caller));
  const text = await res.text();
  return { status: res.status, breaches: contractBreaches(c, caller.role, res, text) };
}
