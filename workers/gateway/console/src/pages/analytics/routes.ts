import type { PageDef } from '../../pages.js';

/** The Analytics pages. */
export const analyticsPages: PageDef[] = [
  {
    path: '/console/analytics',
    title: 'Analytics',
    permission: 'analytics:read',
    load: () => import('./analytics.js'),
  },
];
