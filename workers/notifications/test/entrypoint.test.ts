import { exports } from 'cloudflare:workers';
import { describeDomainWorker } from '@onasis/testing';

describeDomainWorker({
  tag: 'notifications',
  entrypoint: () => exports.NotificationsService,
  healthChecks: ['db', 'providers', 'secrets'],
});
