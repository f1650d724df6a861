import { exports } from 'cloudflare:workers';
import { describeDomainWorker } from '@onasis/testing';

describeDomainWorker({ tag: 'identity', entrypoint: () => exports.IdentityService, healthChecks: ['db', 'secrets'] });
