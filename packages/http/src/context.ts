import type { Principal } from '@onasis/contracts';
import type { Logger } from './logger.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** Id of the request, echoed as `X-Request-Id` and on every log line. */
    requestId: string;
    /** W3C `traceparent` of this hop, passed on to every binding call. */
    traceparent: string;
    /** Logger bound to this request's ids. */
    log: Logger;
    /** The caller the gateway verified, if any (domain Workers only). */
    principal: Principal | undefined;
    /** The client's IP address, when known. */
    clientIp: string | undefined;
    /** The client's country (ISO 3166-1 alpha-2) as Cloudflare's edge placed it, when known. */
    country: string | undefined;
  }
}
