import Mustache from 'mustache';
import type { TemplateContent } from '../templates/built-in.js';

/** The message of one template rendered with one set of variables. */
export interface Rendered {
  subject: string;
  text: string;
  html: string | null;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

// Only what HTML needs: mustache's default also rewrites `/` and `=`, which would mangle URLs in the markup's text.
const escapeHtml = (value: unknown) => String(value).replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
const verbatim = (value: unknown) => String(value);

/**
 * Renders a template: variables HTML-escaped in the HTML part only (subject and text are plain text, where escaping
 * would show `&amp;` to the reader); a missing variable renders empty.
 */
export function render(content: Pick<TemplateContent, 'subject' | 'text' | 'html'>, data: Record<string, unknown>) {
  return {
    subject: Mustache.render(content.subject, data, {}, { escape: verbatim }),
    text: Mustache.render(content.text, data, {}, { escape: verbatim }),
    html: content.html === null ? null : Mustache.render(content.html, data, {}, { escape: escapeHtml }),
  } satisfies Rendered;
}

/** The first syntax error among a template's parts, as `{ path, message }`, or null when mustache accepts them all. */
export function syntaxError(
  parts: Record<string, string | null | undefined>,
): { path: string; message: string } | null {
  for (const [path, source] of Object.entries(parts)) {
    if (source === null || source === undefined) continue;
    try {
      Mustache.parse(source);
    } catch (err) {
      return { path, message: err instanceof Error ? err.message : String(err) };
    }
  }
  return null;
}
