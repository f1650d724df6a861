import type { PageDef } from '../../pages.js';

/** The My account pages. */
export const accountPages: PageDef[] = [
  { path: '/console/account', title: 'My account', permission: 'authenticated', load: () => import('./account.js') },
];
