import type { PageDef } from '../../pages.js';

/** The Payments pages. */
export const paymentsPages: PageDef[] = [
  { path: '/console/payments', title: 'Payments', permission: 'payments:manage', load: () => import('./payments.js') },
];
