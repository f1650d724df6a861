import type { components } from '@onasis/client';
import { useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { client } from '../../api.js';
import { PageHeader, useAction } from '../../components/actions.js';
import { dateTime } from '../../components/format.js';
import { ProblemBox } from '../../components/problem-box.js';
import { Loading, Show } from '../../components/states.js';
import { DataTable } from '../../components/table.js';
import { useLoad } from '../../components/use-load.js';
import { Message, NotificationsTabs } from './notification-bits.js';
import { templateHref } from './templates.js';
import { type Draft, sampleFor, usePreview } from './use-preview.js';

type Version = components['schemas']['NotificationTemplate'];

function Area({
  name,
  label,
  value,
  onInput,
  rows = 6,
  readOnly,
}: {
  name: keyof Draft;
  label: string;
  value: string;
  onInput: (name: keyof Draft, value: string) => void;
  rows?: number;
  readOnly?: boolean;
}) {
  const id = `tpl-${name}`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <textarea
        id={id}
        name={name}
        rows={rows}
        value={value}
        readOnly={readOnly}
        onInput={(e) => onInput(name, e.currentTarget.value)}
      />
    </div>
  );
}

/** The editor of one version: the draft, its live preview, and "Save" (a new version). */
function Editor({ current, builtIn, onSaved }: { current: Version; builtIn: boolean; onSaved: (v: Version) => void }) {
  const fromVersion = (v: Version): Draft => ({
    subject: v.subject,
    text: v.text,
    html: v.html ?? '',
    sample: sampleFor(v.subject, v.text, v.html),
  });
  const [draft, setDraft] = useState<Draft>(() => fromVersion(current));
  const preview = usePreview(current.key, current.locale, draft);
  const change = (name: keyof Draft, value: string) => setDraft((d) => ({ ...d, [name]: value }));
  const save = useAction(async () => {
    const { locale, channels, category } = current;
    const html = draft.html === '' ? null : draft.html;
    const body = { locale, channels, category, subject: draft.subject, text: draft.text, html };
    onSaved(
      await client.PUT('/api/v1/notifications/templates/{key}', { params: { path: { key: current.key } }, body }),
    );
  });
  return (
    <div class="editor">
      <form
        class="form"
        aria-label="Template draft"
        onSubmit={(e) => {
          e.preventDefault();
          void save.start();
        }}
      >
        <div class="field">
          <label for="tpl-subject">Subject</label>
          <input
            id="tpl-subject"
            type="text"
            value={draft.subject}
            readOnly={builtIn}
            onInput={(e) => change('subject', e.currentTarget.value)}
          />
        </div>
        <Area name="text" label="Text" value={draft.text} onInput={change} rows={8} readOnly={builtIn} />
        <Area name="html" label="HTML (optional)" value={draft.html} onInput={change} rows={8} readOnly={builtIn} />
        <Area name="sample" label="Sample variables (JSON)" value={draft.sample} onInput={change} rows={5} />
        {builtIn ? (
          <p class="muted">A built-in template changes only with the code; the preview still renders your draft.</p>
        ) : (
          <div class="form-actions">
            <button type="submit" class="primary" disabled={save.busy}>
              {save.busy ? 'Saving…' : 'Save as a new version'}
            </button>
          </div>
        )}
        {save.error ? <ProblemBox error={save.error} title="Save failed" /> : null}
      </form>
      <section aria-labelledby="preview-title">
        <h2 id="preview-title">Preview</h2>
        <p class="preview-state" role="status" aria-live="polite">
          {preview.status === 'ready' ? `Rendered from your draft (of version ${preview.data.version})` : 'Rendering…'}
        </p>
        {preview.status === 'error' && <ProblemBox error={preview.error} title="The preview failed" />}
        {preview.status === 'ready' && (
          <Message label="Preview" subject={preview.data.subject} text={preview.data.text} html={preview.data.html} />
        )}
        {preview.status === 'waiting' && <Loading what="Rendering" />}
      </section>
    </div>
  );
}

/** One template: edit its newest version in a locale with a live preview, and its version history. */
export default function TemplatePage() {
  const { params } = useRoute();
  const { query } = useLocation();
  const key = params.key ?? '';
  const [saved, setSaved] = useState<Version | null>(null);
  const template = useLoad(
    () => client.GET('/api/v1/notifications/templates/{key}', { params: { path: { key } } }),
    [key],
  );
  return (
    <section class="page">
      <PageHeader title={`Template ${key}`} />
      <NotificationsTabs />
      <Show state={template}>
        {(t) => {
          const locales = [...new Set(t.versions.map((v) => v.locale))];
          const locale = locales.includes(query.locale ?? '') ? (query.locale ?? '') : (locales[0] ?? 'en');
          const current = t.versions.filter((v) => v.locale === locale).sort((a, b) => b.version - a.version)[0];
          if (!current) return <p class="empty">This template has no version.</p>;
          return (
            <>
              <p>
                {t.builtIn ? 'Built-in' : 'Custom'} · {current.category} · {current.channels.join(', ')} · locale{' '}
                {locales.map((l, i) => (
                  <span key={l}>
                    {i > 0 && ', '}
                    {l === locale ? <strong>{l}</strong> : <a href={templateHref(key, l)}>{l}</a>}
                  </span>
                ))}{' '}
                · version {current.version}
              </p>
              {saved?.key === key && (
                <p class="saved" role="status">
                  Saved version {saved.version} ({saved.locale}).
                </p>
              )}
              <Editor
                key={`${locale}:${current.version}`}
                current={current}
                builtIn={t.builtIn}
                onSaved={(v) => {
                  setSaved(v);
                  template.reload();
                }}
              />
              <h2>Versions</h2>
              <DataTable<Version>
                caption={`Versions of ${key}`}
                rows={t.versions}
                rowKey={(v) => `${v.locale}:${v.version}`}
                empty="No versions."
                columns={[
                  { label: 'Version', numeric: true, cell: (v) => v.version },
                  { label: 'Locale', cell: (v) => v.locale },
                  { label: 'Subject', cell: (v) => v.subject },
                  { label: 'Published', cell: (v) => dateTime(v.createdAt) },
                ]}
              />
            </>
          );
        }}
      </Show>
    </section>
  );
}
