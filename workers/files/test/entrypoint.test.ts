import { describeDomainWorker } from '@onasis/testing';
import { exports } from 'cloudflare:workers';

describeDomainWorker({ tag: 'files', entrypoint: () => exports.FilesService, healthChecks: ['db', 'bucket'] });
