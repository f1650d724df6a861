import type { PageDef } from '../../pages.js';

/** The Overview pages. */
export const overviewPages: PageDef[] = [
  { path: '/console', title: 'Overview', permission: 'metrics:read', load: () => import('./overview.js') },
];
