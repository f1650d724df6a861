import { client } from '../../api.js';
import { Field, Form } from '../../components/actions.js';
import type { FileRow } from './file-bits.js';

/** Renames or moves one file; a name and folder another live file holds is the API's 409, shown in the form. */
export function FileEditor({ file, onDone, onCancel }: { file: FileRow; onDone: () => void; onCancel: () => void }) {
  return (
    <section class="editor" aria-labelledby="editor-title">
      <h2 id="editor-title">Rename or move {file.name}</h2>
      <Form
        label={`Rename or move ${file.name}`}
        submitLabel="Save"
        onDone={onDone}
        onSubmit={(form) =>
          client.PATCH('/api/v1/files/{id}', {
            params: { path: { id: file.id } },
            body: { name: String(form.get('name') ?? '').trim(), folder: String(form.get('folder') ?? '').trim() },
          })
        }
      >
        <Field name="name" label="Name" value={file.name} required />
        <Field name="folder" label="Folder" value={file.folder} hint="Empty: the root. Folders are separated by /." />
      </Form>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </section>
  );
}
