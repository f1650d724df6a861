import type { PageDef } from '../../pages.js';

/** The Jobs pages. */
export const jobsPages: PageDef[] = [
  { path: '/console/jobs', title: 'Jobs', permission: 'jobs:read', load: () => import('./jobs.js') },
];
