import { domainWorkerProject } from '../../scripts/vitest-domain.js';

export default await domainWorkerProject('analytics', {
  // Every consumed batch rebuilds its days at once, so a test reads rollups right after it consumes; the put-off
  // rebuilds of busy days are tested by calling the schedule with an interval of their own.
  bindings: { ANALYTICS_REBUILD_SECONDS: '0' },
});
