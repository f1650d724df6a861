import { domainWorkerProject } from '../../scripts/vitest-domain.mjs';

export default await domainWorkerProject('identity', { secrets: { PASSWORD_PEPPER: 'test-pepper' } });
