import { exports } from 'cloudflare:workers';
import { describeDomainWorker } from '@onasis/testing';

describeDomainWorker({ tag: 'jobs', entrypoint: () => exports.JobsService, healthChecks: ['db'] });
