import { isProtectedTemplate, newId } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { and, asc, desc, eq, getTableColumns, max } from 'drizzle-orm';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import type { Db } from '../db/client.js';
import { templates } from '../db/schema.js';
import { BUILT_IN_TEMPLATES, type TemplateContent } from '../templates/built-in.js';
import { syntaxError } from './render.js';

/** One version of a template in one locale. */
export interface TemplateVersion extends TemplateContent {
  key: string;
  locale: string;
  version: number;
  builtIn: boolean;
  createdAt: string | null;
}

const fromRow = (r: typeof templates.$inferSelect): TemplateVersion => ({
  key: r.key,
  locale: r.locale,
  version: r.version,
  channels: r.channels,
  category: r.category,
  subject: r.subject,
  text: r.text,
  html: r.html,
  builtIn: false,
  createdAt: r.createdAt,
});

const builtIn = (key: string, locale: string): TemplateVersion | null => {
  const content = BUILT_IN_TEMPLATES[key]?.[locale];
  return content ? { ...content, key, locale, version: 1, builtIn: true, createdAt: null } : null;
};

/** Whether a key ships with the project (and so cannot be deleted). */
const isBuiltIn = (key: string) => Object.hasOwn(BUILT_IN_TEMPLATES, key);

/**
 * Whether a key is locked to the code: identity's namespace and every built-in (all of them security messages that
 * carry one-time links or codes). Nobody creates, changes or deletes these through the API, and versions stored
 * before this rule existed are ignored, so a planted `{{token}}` leak cannot survive it.
 */
const isLockedTemplate = (key: string) => isProtectedTemplate(key) || isBuiltIn(key);

/** Every version of a key in every locale, newest first per locale; empty for an unknown key. */
export async function versionsOf(db: Db, key: string): Promise<TemplateVersion[]> {
  const rows = await db
    .select()
    .from(templates)
    .where(eq(templates.key, key))
    .orderBy(asc(templates.locale), desc(templates.version));
  const shipped = Object.keys(BUILT_IN_TEMPLATES[key] ?? {}).flatMap((l) => builtIn(key, l) ?? []);
  return [...(isLockedTemplate(key) ? [] : rows.map(fromRow)), ...shipped];
}

/** The newest stored version of each key and locale (of `key` only, if given). */
function newestStored(db: Db, key?: string) {
  const newest = db
    .select({ key: templates.key, locale: templates.locale, version: max(templates.version).as('newest_version') })
    .from(templates)
    .where(key === undefined ? undefined : eq(templates.key, key))
    .groupBy(templates.key, templates.locale)
    .as('newest');
  return db
    .select(getTableColumns(templates))
    .from(templates)
    .innerJoin(
      newest,
      and(eq(templates.key, newest.key), eq(templates.locale, newest.locale), eq(templates.version, newest.version)),
    );
}

/** The newest version of each key and locale, built-in ones included. */
export async function latestTemplates(db: Db): Promise<TemplateVersion[]> {
  const rows = await newestStored(db).orderBy(asc(templates.key), asc(templates.locale));
  const stored = rows.filter((r) => !isLockedTemplate(r.key)).map(fromRow);
  const seen = new Set(stored.map((t) => `${t.key}\u0000${t.locale}`));
  const shipped = Object.entries(BUILT_IN_TEMPLATES).flatMap(([key, locales]) =>
    Object.keys(locales).flatMap((l) => (seen.has(`${key}\u0000${l}`) ? [] : (builtIn(key, l) ?? []))),
  );
  return [...stored, ...shipped].sort((a, b) => a.key.localeCompare(b.key) || a.locale.localeCompare(b.locale));
}

/** Locales to try, in order: the requested one, its language, the user's, its language, then `en`. */
function localeChain(requested: string | null | undefined, user: string | null | undefined): string[] {
  const chain = [requested, requested?.split('-')[0], user, user?.split('-')[0], 'en'];
  return [...new Set(chain.filter((l): l is string => typeof l === 'string' && l.length > 0))];
}

/** The newest stored version of `key` in each locale: one query, whatever locale a send then picks. */
export async function latestVersionsOf(db: Db, key: string): Promise<TemplateVersion[]> {
  if (isLockedTemplate(key)) return [];
  return (await newestStored(db, key)).map(fromRow);
}

/**
 * Of `stored` (the newest stored version per locale of `key`), or else the built-in one, the template of the first
 * locale of the chain that has one; null for an unknown key.
 */
export function pickTemplate(
  stored: TemplateVersion[],
  key: string,
  requested?: string | null,
  userLocale?: string | null,
): TemplateVersion | null {
  for (const locale of localeChain(requested, userLocale)) {
    const found = stored.find((t) => t.locale === locale) ?? builtIn(key, locale);
    if (found) return found;
  }
  return null;
}

/** The newest version of `key` in the first locale of the chain that has one; null for an unknown key. */
export async function resolveTemplate(
  db: Db,
  key: string,
  requested?: string | null,
  userLocale?: string | null,
): Promise<TemplateVersion | null> {
  return pickTemplate(await latestVersionsOf(db, key), key, requested, userLocale);
}

/** A template to publish: a new key (create) or a new version of a key in a locale (update). */
export type TemplateInput = TemplateContent & { locale: string };

function assertSyntax(input: TemplateInput): void {
  const bad = syntaxError({ subject: input.subject, text: input.text, html: input.html });
  if (bad) {
    throw new AppError('VALIDATION_FAILED', 'The template does not parse; see errors.', {
      errors: [{ path: `body.${bad.path}`, message: bad.message }],
    });
  }
}

/**
 * Publishes the next version of `key` in `input.locale`. `mode: 'create'` refuses a key that exists (409);
 * `'update'` refuses one that does not (404). Two racing publishers computing the same next version collide on the
 * unique (key, locale, version) index: the loser gets a 409 and can retry; nothing is overwritten.
 */
export async function publishTemplate(
  db: Db,
  key: string,
  input: TemplateInput,
  mode: 'create' | 'update',
  createdBy: string | null,
): Promise<TemplateVersion> {
  assertUnlocked(key);
  if (input.category === 'security') {
    throw new AppError('VALIDATION_FAILED', 'The request is not valid; see errors.', {
      errors: [{ path: 'category', message: 'security is kept for the templates that ship with the platform.' }],
    });
  }
  assertSyntax(input);
  const existing = await versionsOf(db, key);
  if (mode === 'create' && existing.length > 0) throw new AppError('CONFLICT', `Template ${key} exists; update it.`);
  if (mode === 'update' && existing.length === 0) throw new AppError('NOT_FOUND', `No template ${key}.`);
  const version = Math.max(0, ...existing.filter((t) => t.locale === input.locale).map((t) => t.version)) + 1;
  try {
    await db.insert(templates).values({
      id: newId('tpl'),
      key,
      locale: input.locale,
      version,
      channels: input.channels,
      category: input.category,
      subject: input.subject,
      text: input.text,
      html: input.html,
      createdBy,
    });
  } catch (err) {
    // drizzle wraps D1's error, whose message names the violated constraint.
    const cause = err instanceof DrizzleQueryError ? err.cause : err;
    if (String(cause).includes('UNIQUE')) throw new AppError('CONFLICT', 'Another version was published meanwhile.');
    throw err;
  }
  const published = await resolveTemplate(db, key, input.locale);
  if (!published) throw new Error('published template vanished');
  return published;
}

function assertUnlocked(key: string): void {
  if (isLockedTemplate(key)) {
    throw new AppError('FORBIDDEN', `${key} is a security template: it changes only with the code that ships it.`);
  }
}

/** Deletes every version of a custom template; locked ones are refused (403), unknown ones are a 404. */
export async function deleteTemplate(db: Db, key: string): Promise<void> {
  assertUnlocked(key);
  const { meta } = await db.delete(templates).where(eq(templates.key, key));
  if (meta.changes === 0) throw new AppError('NOT_FOUND', `No template ${key}.`);
}
