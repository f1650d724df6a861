import { useAction } from '../../components/actions.js';
import { ProblemBox } from '../../components/problem-box.js';
import { uploadFile } from './file-bits.js';

/** Uploads the chosen files one after the other into the folder given (the current one by default). */
export function UploadForm({ folder, onDone }: { folder: string; onDone: () => void }) {
  const action = useAction(async (files: File[], into: string) => {
    for (const file of files) await uploadFile(file, into);
  }, onDone);
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const files = data.getAll('file').filter((f): f is File => f instanceof File && f.name !== '');
    if (files.length === 0) return;
    if (await action.start(files, String(data.get('folder') ?? '').trim())) form.reset();
  };
  return (
    <form class="filters" aria-label="Upload" onSubmit={onSubmit}>
      <div class="field">
        <label for="upload-file">File</label>
        <input id="upload-file" name="file" type="file" multiple required />
      </div>
      <div class="field" key={folder}>
        <label for="upload-folder">Into folder</label>
        <input id="upload-folder" name="folder" defaultValue={folder} placeholder="(root)" />
      </div>
      <button type="submit" class="primary" disabled={action.busy}>
        {action.busy ? 'Uploading…' : 'Upload'}
      </button>
      {action.error ? <ProblemBox error={action.error} title="Upload failed" /> : null}
    </form>
  );
}
