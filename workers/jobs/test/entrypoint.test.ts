import { describeDomainWorker } from '@onasis/testing';
import { exports } from 'cloudflare:workers';

describeDomainWorker({ tag: 'jobs', entrypoint: () => exports.JobsService, healthChecks: ['db'] });
