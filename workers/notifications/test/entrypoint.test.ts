import { describeDomainWorker } from '@onasis/testing';
import { exports } from 'cloudflare:workers';

describeDomainWorker({ tag: 'notifications', entrypoint: () => exports.NotificationsService, healthChecks: ['db'] });
