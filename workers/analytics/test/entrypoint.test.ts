import { exports } from 'cloudflare:workers';
import { describeDomainWorker } from '@onasis/testing';

describeDomainWorker({ tag: 'analytics', entrypoint: () => exports.AnalyticsService, healthChecks: ['db'] });
