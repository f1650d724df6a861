/// <reference types="node" />
import type { IncomingMessage } from 'node:http';
import type { ScriptedAnswer } from './types.js';

/** A request read in full: providers' handlers work on the whole body. */
export interface Incoming {
  method: string;
  /** The path inside the namespace, e.g. `/emails`. */
  path: string;
  /** `http://127.0.0.1:port/<namespace>`: what a base URL given to a client looks like. */
  base: string;
  headers: Record<string, string>;
  raw: Buffer;
}

/** An answer; an object body is sent as JSON. */
export type Answer = ScriptedAnswer;

export async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function flatHeaders(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
  );
}

/** The body as the provider would read it: JSON, a form, text, or base64 when binary. */
export function parsedBody(incoming: Incoming): unknown {
  const type = incoming.headers['content-type'] ?? '';
  const text = incoming.raw.toString('utf8');
  if (type.includes('application/json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  if (type.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  if (type.includes('application/octet-stream')) return incoming.raw.toString('base64');
  return text;
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  body,
  headers,
});
