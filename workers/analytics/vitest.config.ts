import { domainWorkerProject } from '../../scripts/vitest-domain.mjs';

export default await domainWorkerProject('analytics');
