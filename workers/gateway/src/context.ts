import type { Principal, ServiceName } from '@onasis/contracts';

/** Hono environment of the gateway. */
export type AppEnv = {
  Bindings: GatewayEnv;
  Variables: {
    /** The domain service a request was handed to, once it is known. */
    service: ServiceName;
    /** Route template reported for metrics and logs; bounded so that label cardinality stays small. */
    routeTemplate: string;
    /** The caller `authenticate` verified; absent when the request carries no credentials. */
    principal: Principal | undefined;
  };
};
