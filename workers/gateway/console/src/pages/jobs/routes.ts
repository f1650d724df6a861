import type { PageDef } from '../../pages.js';

/** The Jobs pages; fixed paths come before `/console/jobs/:id`, which would match them too. */
export const jobsPages: PageDef[] = [
  { path: '/console/jobs', title: 'Jobs', permission: 'jobs:read', load: () => import('./jobs.js') },
  {
    path: '/console/jobs/dead-letters',
    title: 'Dead letters',
    permission: 'jobs:read',
    nav: false,
    load: () => import('./dead-letters.js'),
  },
  {
    path: '/console/jobs/schedules',
    title: 'Schedules',
    permission: 'jobs:read',
    nav: false,
    load: () => import('./schedules.js'),
  },
  { path: '/console/jobs/:id', title: 'Job', permission: 'jobs:read', nav: false, load: () => import('./job.js') },
];
