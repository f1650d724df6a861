import { PlatformEventSchema } from '@onasis/contracts';
import { createLogger } from '@onasis/http';
import { dbOf } from '../db/client.js';
import type { PlatformEventRow } from '../db/schema.js';
import { platformRowOf, storePlatformEvents } from './platform-store.js';

const log = createLogger({ service: 'analytics' });

/**
 * The platform-events queue's consumer: every well-formed business event stored once by its id, and the daily
 * figures of the days it touched rebuilt, in one atomic batch. A message that is not a PlatformEvent is logged (its
 * queue id and first issue, never its body) and acknowledged: retrying it could never succeed. A failed write
 * throws, so the queue redelivers the whole batch, which the ids and the rebuild make harmless.
 */
export async function consumePlatformEvents(env: AnalyticsEnv, batch: MessageBatch<unknown>): Promise<void> {
  const rows: PlatformEventRow[] = [];
  for (const message of batch.messages) {
    const parsed = PlatformEventSchema.safeParse(message.body);
    if (parsed.success) rows.push(platformRowOf(parsed.data));
    else {
      const issue = parsed.error.issues[0];
      log.error('malformed platform event dropped', {
        messageId: message.id,
        path: issue?.path.join('.') ?? '',
        issue: issue?.message ?? '',
      });
    }
  }
  await storePlatformEvents(dbOf(env.DB), rows);
  batch.ackAll();
}
