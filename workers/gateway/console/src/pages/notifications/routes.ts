import type { PageDef } from '../../pages.js';

const manage = 'notifications:manage';

/** The Notifications pages: deliveries (the area's home), one delivery, templates and their editor, the outbox. */
export const notificationsPages: PageDef[] = [
  {
    path: '/console/notifications',
    title: 'Notifications',
    permission: manage,
    load: () => import('./notifications.js'),
  },
  {
    path: '/console/notifications/deliveries/:id',
    title: 'Delivery',
    permission: manage,
    nav: false,
    load: () => import('./delivery.js'),
  },
  {
    path: '/console/notifications/templates',
    title: 'Templates',
    permission: manage,
    nav: false,
    load: () => import('./templates.js'),
  },
  {
    path: '/console/notifications/templates/:key',
    title: 'Template',
    permission: manage,
    nav: false,
    load: () => import('./template.js'),
  },
  {
    path: '/console/notifications/outbox',
    title: 'Sandbox outbox',
    permission: manage,
    nav: false,
    load: () => import('./outbox.js'),
  },
];
