import type { PlatformEvent } from '@onasis/contracts';
import { createLogger } from '@onasis/http';

/**
 * Puts business events on the platform-events queue for analytics. Sent after the write they describe has
 * committed; a failed send is logged and dropped rather than failing a write that already happened (analytics
 * counts storage, it does not own it). Each event id derives from the file and the change, so a redelivered or
 * re-sent event is counted once.
 */
export async function publishEvents(env: Pick<FilesEnv, 'PLATFORM_EVENTS'>, events: PlatformEvent[]): Promise<void> {
  if (events.length === 0) return;
  try {
    await env.PLATFORM_EVENTS.sendBatch(events.map((body) => ({ body, contentType: 'json' as const })));
  } catch (err) {
    createLogger({ service: 'files' }).error('platform events not sent', { count: events.length, err: String(err) });
  }
}

/** `file.uploaded` for a stored file. */
export function fileUploaded(file: { id: string; ownerId: string; size: number; contentType: string }): PlatformEvent {
  return {
    kind: 'platform-event',
    id: `file.uploaded:${file.id}`,
    type: 'file.uploaded',
    occurredAt: new Date().toISOString(),
    userId: file.ownerId,
    data: { fileId: file.id, size: file.size, contentType: file.contentType },
  };
}

/** `file.deleted` for a file deleted for good (trashing is not a deletion: it can be undone). */
export function fileDeleted(file: { id: string; ownerId: string; size: number }): PlatformEvent {
  return {
    kind: 'platform-event',
    id: `file.deleted:${file.id}`,
    type: 'file.deleted',
    occurredAt: new Date().toISOString(),
    userId: file.ownerId,
    data: { fileId: file.id, size: file.size },
  };
}
