import { describeDomainWorker } from '@onasis/testing';
import { exports } from 'cloudflare:workers';

describeDomainWorker({ tag: 'identity', entrypoint: () => exports.IdentityService, healthChecks: ['db'] });
