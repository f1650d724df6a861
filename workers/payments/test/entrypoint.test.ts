import { exports } from 'cloudflare:workers';
import { describeDomainWorker } from '@onasis/testing';

describeDomainWorker({ tag: 'payments', entrypoint: () => exports.PaymentsService, healthChecks: ['db'] });
