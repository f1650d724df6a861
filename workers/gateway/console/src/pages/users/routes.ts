import type { PageDef } from '../../pages.js';

/** The Users pages: the list, one user, and the roles editor. */
export const usersPages: PageDef[] = [
  { path: '/console/users', title: 'Users', permission: 'users:read', load: () => import('./users.js') },
  {
    path: '/console/users/:id',
    title: 'User',
    permission: 'users:read',
    nav: false,
    load: () => import('./user-detail.js'),
  },
  { path: '/console/roles', title: 'Roles', permission: 'roles:read', load: () => import('./roles.js') },
];
