import { useState } from 'preact/hooks';
import { client } from '../../api.js';
import { ActionButton, PageHeader } from '../../components/actions.js';
import { bytes, dateTime } from '../../components/format.js';
import { FilterBar, Pager, useList } from '../../components/list.js';
import { Show } from '../../components/states.js';
import { DataTable } from '../../components/table.js';
import { useSession } from '../../session.js';
import { type FileRow, FolderTrail } from './file-bits.js';
import { FileEditor } from './file-editor.js';
import { UploadForm } from './upload-form.js';

const VIEWS = [
  ['', 'My files'],
  ['trash', 'Trash'],
  ['shared', 'Shared with me'],
] as const;

/** The signed-in user's files: search and folder from the URL, upload, download, rename or move, trash, restore. */
export default function FilesPage() {
  const { can } = useSession();
  const [editing, setEditing] = useState<FileRow | null>(null);
  const list = useList(['q', 'folder', 'view'], (f, cursor) =>
    client.GET('/api/v1/files', {
      params: {
        query: {
          q: f.q,
          folder: f.folder,
          trashed: f.view === 'trash' ? 'true' : undefined,
          shared: f.view === 'shared' ? 'true' : undefined,
          cursor,
          limit: 25,
        },
      },
    }),
  );
  const writable = can('files:write') && list.filters.view !== 'shared';
  const changed = () => {
    setEditing(null);
    list.reload();
  };
  const path = (file: FileRow) => ({ params: { path: { id: file.id } } });
  const openFolder = (folder: string | undefined) => list.setFilters({ ...list.filters, folder });
  return (
    <section class="page">
      <PageHeader title="Files" />
      {can('files:manage') && (
        <p>
          <a href="/console/storage">Storage across all users</a>
        </p>
      )}
      <FilterBar
        list={list}
        fields={[
          { name: 'q', label: 'Name contains', type: 'search' },
          { name: 'folder', label: 'Folder', placeholder: 'reports/2026' },
          { name: 'view', label: 'Show', options: VIEWS },
        ]}
      />
      <FolderTrail folder={list.filters.folder ?? ''} open={openFolder} />
      {writable && list.filters.view !== 'trash' && <UploadForm folder={list.filters.folder ?? ''} onDone={changed} />}
      <Show state={list}>
        {(page) => (
          <DataTable
            caption={list.filters.view === 'trash' ? 'Trash, newest first' : 'Files, newest first'}
            rows={page.data}
            rowKey={(f) => f.id}
            empty={list.filters.view === 'trash' ? 'The trash is empty.' : 'No files here.'}
            columns={[
              {
                label: 'Name',
                cell: (f) =>
                  f.status === 'trashed' ? (
                    f.name
                  ) : (
                    <a href={`/api/v1/files/${f.id}/content?download=true`} download={f.name}>
                      {f.name}
                    </a>
                  ),
              },
              {
                label: 'Folder',
                cell: (f) =>
                  f.folder ? (
                    <button type="button" class="link" onClick={() => openFolder(f.folder)}>
                      {f.folder}
                    </button>
                  ) : (
                    '(root)'
                  ),
              },
              { label: 'Size', numeric: true, cell: (f) => bytes(f.size) },
              { label: 'Type', cell: (f) => f.contentType },
              {
                label: list.filters.view === 'trash' ? 'Trashed' : 'Updated',
                cell: (f) => dateTime(f.trashedAt ?? f.updatedAt),
              },
              {
                label: 'Actions',
                cell: (f) =>
                  !writable ? null : f.status === 'trashed' ? (
                    <ActionButton
                      label={`Restore ${f.name}`}
                      run={() => client.POST('/api/v1/files/{id}/restore', path(f))}
                      onDone={changed}
                    />
                  ) : (
                    <span class="toolbar">
                      <button type="button" onClick={() => setEditing(f)}>
                        Rename {f.name}
                      </button>
                      <ActionButton
                        label={`Trash ${f.name}`}
                        danger
                        confirm={`Move ${f.name} to the trash?`}
                        run={() => client.DELETE('/api/v1/files/{id}', { params: { path: { id: f.id }, query: {} } })}
                        onDone={changed}
                      />
                    </span>
                  ),
              },
            ]}
          />
        )}
      </Show>
      <Pager list={list} />
      {editing && <FileEditor file={editing} onDone={changed} onCancel={() => setEditing(null)} />}
    </section>
  );
}
