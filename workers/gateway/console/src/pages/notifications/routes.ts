import type { PageDef } from '../../pages.js';

/** The Notifications pages. */
export const notificationsPages: PageDef[] = [
  {
    path: '/console/notifications',
    title: 'Notifications',
    permission: 'notifications:manage',
    load: () => import('./notifications.js'),
  },
];
