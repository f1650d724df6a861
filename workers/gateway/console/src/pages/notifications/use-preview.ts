import { useEffect, useRef, useState } from 'preact/hooks';
import { client } from '../../api.js';

/** A draft of a template's parts as the editor holds it. */
export interface Draft {
  subject: string;
  text: string;
  html: string;
  sample: string;
}

type Rendered = { subject: string; text: string; html: string | null; version: number };
type PreviewState =
  | { status: 'idle' | 'waiting' }
  | { status: 'ready'; data: Rendered }
  | { status: 'error'; error: unknown };

/** The sample variables as an object, or why they are not one. */
export function parseSample(sample: string): Record<string, unknown> {
  const value: unknown = sample.trim() === '' ? {} : JSON.parse(sample);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('Sample variables must be a JSON object, for example {"name": "Ada"}.');
  }
  return value as Record<string, unknown>;
}

/**
 * The draft rendered by the server (`POST …/preview` with the unsaved parts), `delayMs` after the last keystroke;
 * an answer to an older draft than the newest asked is dropped, so fast typing never shows a stale preview.
 */
export function usePreview(key: string, locale: string, draft: Draft | null, delayMs = 300): PreviewState {
  const [state, setState] = useState<PreviewState>({ status: 'idle' });
  const latest = useRef(0);
  useEffect(() => {
    if (!draft) return;
    const call = ++latest.current;
    setState((s) => (s.status === 'ready' ? s : { status: 'waiting' }));
    const timer = setTimeout(async () => {
      try {
        const data = parseSample(draft.sample);
        const rendered = await client.POST('/api/v1/notifications/templates/{key}/preview', {
          params: { path: { key } },
          body: { locale, data, subject: draft.subject, text: draft.text, html: draft.html === '' ? null : draft.html },
        });
        if (call === latest.current) setState({ status: 'ready', data: rendered });
      } catch (error) {
        if (call === latest.current) setState({ status: 'error', error });
      }
    }, delayMs);
    return () => clearTimeout(timer);
  }, [key, locale, draft?.subject, draft?.text, draft?.html, draft?.sample]);
  return state;
}

/** Sample variables for a template: each `{{name}}` it uses, set to its own name, so a first preview shows them. */
export function sampleFor(...parts: (string | null)[]): string {
  const names = new Set<string>();
  for (const part of parts) {
    for (const m of (part ?? '').matchAll(/\{\{\{?\s*([#^/]?)\s*([\w.]+)\s*\}?\}\}/g)) {
      if (m[1] === '' && m[2]) names.add(m[2]);
    }
  }
  return JSON.stringify(Object.fromEntries([...names].map((n) => [n, n])), null, 2);
}
