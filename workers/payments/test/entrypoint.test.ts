import { describeDomainWorker } from '@onasis/testing';
import { exports } from 'cloudflare:workers';

describeDomainWorker({ tag: 'payments', entrypoint: () => exports.PaymentsService, healthChecks: ['db'] });
