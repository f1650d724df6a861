import type { components } from '@onasis/client';
import { client } from '../../api.js';
import './files.css';

/** A file as the API shows it. */
export type FileRow = components['schemas']['File'];

/**
 * Uploads `file` into `folder` as multipart (the folder field first, as the API reads it). The client adds the
 * Idempotency-Key and the same-origin Origin; a retry of the same bytes to the same name answers the file stored
 * the first time (200), so a repeated upload never makes a second file.
 */
export function uploadFile(file: File, folder: string) {
  const form = new FormData();
  if (folder) form.set('folder', folder);
  form.set('file', file, file.name);
  return client.POST('/api/v1/files', { body: {}, bodySerializer: () => form });
}

/** A folder as a path of links, each opening that folder in the browser; the root is "All files". */
export function FolderTrail({ folder, open }: { folder: string; open: (folder: string | undefined) => void }) {
  const parts = folder ? folder.split('/') : [];
  return (
    <nav aria-label="Folder" class="trail">
      <ol>
        <li>
          <button
            type="button"
            class="link"
            onClick={() => open(undefined)}
            aria-current={parts.length ? undefined : 'page'}
          >
            All files
          </button>
        </li>
        {parts.map((part, i) => {
          const path = parts.slice(0, i + 1).join('/');
          return (
            <li key={path}>
              <button
                type="button"
                class="link"
                onClick={() => open(path)}
                aria-current={i === parts.length - 1 ? 'page' : undefined}
              >
                {part}
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
