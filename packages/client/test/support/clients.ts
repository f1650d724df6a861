import { createOnasisClient, type OnasisClientOptions } from '../../src/client.js';
import type { Clock } from '../../src/transport.js';
import type { PlatformServer } from './platform-server.js';
import { PASSWORD } from './routes.js';

/** A clock that records the waits the client asks for and returns at once. */
export function recordingClock(now = Date.parse('2026-12-06T09:00:00Z')) {
  const delays: number[] = [];
  const clock: Clock = {
    sleep: async (ms) => {
      delays.push(ms);
    },
    now: () => now,
  };
  return { clock, delays };
}

/** A client of `server` signed in as Ada (no MFA), with its recorded waits. */
export async function signedInClient(server: PlatformServer, options: OnasisClientOptions = {}) {
  const { clock, delays } = recordingClock();
  const client = createOnasisClient({ baseUrl: server.url, ...options }, clock);
  await client.signIn({ email: 'ada@example.com', password: PASSWORD });
  return { client, delays };
}
