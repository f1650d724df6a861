import type { components } from '@onasis/client';
import { client } from '../../api.js';
import { PageHeader } from '../../components/actions.js';
import { dateTime } from '../../components/format.js';
import { Show } from '../../components/states.js';
import { DataTable } from '../../components/table.js';
import { useLoad } from '../../components/use-load.js';
import { NotificationsTabs } from './notification-bits.js';

type Template = components['schemas']['NotificationTemplate'];

/** The link to a template's editor, in one locale. */
export const templateHref = (key: string, locale: string) =>
  `/console/notifications/templates/${encodeURIComponent(key)}?locale=${encodeURIComponent(locale)}`;

/** Every template's newest version per locale: the built-in ones and those operators made. */
export default function TemplatesPage() {
  const templates = useLoad(() => client.GET('/api/v1/notifications/templates'), []);
  return (
    <section class="page">
      <PageHeader title="Templates" />
      <NotificationsTabs />
      <p class="muted">The newest version of each template and locale. Open one to edit it with a live preview.</p>
      <Show state={templates}>
        {(page) => (
          <DataTable<Template>
            caption="Templates by key"
            rows={page.data}
            rowKey={(t) => `${t.key}:${t.locale}`}
            empty="No templates."
            columns={[
              { label: 'Key', cell: (t) => <a href={templateHref(t.key, t.locale)}>{t.key}</a> },
              { label: 'Locale', cell: (t) => t.locale },
              { label: 'Version', numeric: true, cell: (t) => t.version },
              { label: 'Category', cell: (t) => t.category },
              { label: 'Channels', cell: (t) => t.channels.join(', ') },
              { label: 'Kind', cell: (t) => (t.builtIn ? 'built-in' : 'custom') },
              { label: 'Published', cell: (t) => dateTime(t.createdAt) },
            ]}
          />
        )}
      </Show>
    </section>
  );
}
