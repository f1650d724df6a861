import { describeDomainWorker } from '@onasis/testing';
import { exports } from 'cloudflare:workers';

describeDomainWorker({ tag: 'analytics', entrypoint: () => exports.AnalyticsService, healthChecks: ['db'] });
