import type { Channel } from '@onasis/contracts';
import type { Provider } from './types.js';

/**
 * The provider of a channel without credentials: it sends nothing. The delivery log keeps the fully rendered message
 * for sandbox deliveries, which is where a developer (and the end-to-end suite) reads what would have been sent.
 */
export function sandboxProvider(channel: Channel): Provider {
  return {
    name: 'sandbox',
    channel,
    async send() {
      return { ok: true, providerMessageId: `sbx_${crypto.randomUUID().replaceAll('-', '')}` };
    },
  };
}
