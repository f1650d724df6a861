import type { PageDef } from '../../pages.js';

/** The Users pages. */
export const usersPages: PageDef[] = [
  { path: '/console/users', title: 'Users', permission: 'users:read', load: () => import('./users.js') },
];
