import { exports } from 'cloudflare:workers';
import { describeDomainWorker } from '@onasis/testing';

describeDomainWorker({ tag: 'files', entrypoint: () => exports.FilesService, healthChecks: ['db', 'bucket'] });
