import type { ServiceName } from '@onasis/contracts';

/** Hono environment of the gateway. */
export type AppEnv = {
  Bindings: GatewayEnv;
  Variables: {
    /** The domain service a request was handed to, once it is known. */
    service: ServiceName;
    /** Route template reported for metrics and logs; bounded so that label cardinality stays small. */
    routeTemplate: string;
  };
};
