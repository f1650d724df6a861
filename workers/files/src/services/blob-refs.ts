/**
 * Drops one reference to a blob (a file deleted for good). At zero the blob goes: its row first, by a statement that
 * matches only while the count is still zero, then its R2 object and variants; an upload of the same bytes that won
 * the race has bumped the count, so the delete matches nothing and the blob stays.
 */
export async function releaseBlob(env: FilesEnv, blobId: string): Promise<void> {
  void env;
  void blobId;
  throw new Error('releaseBlob: not built yet');
}
