import { domainWorkerProject } from '../../scripts/vitest-domain.js';

export default await domainWorkerProject('analytics');
