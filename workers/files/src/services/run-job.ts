import type { JobOutcome, JobRun } from '@onasis/contracts';

/** One attempt of a files job (`files.lifecycle`, `files.erase-user`). Not built yet. */
export async function runFilesJob(env: FilesEnv, run: JobRun): Promise<JobOutcome> {
  void env;
  return { ok: false, error: { code: 'INTERNAL', detail: `${run.type} is not built yet` } };
}
