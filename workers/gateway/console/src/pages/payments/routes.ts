import type { PageDef } from '../../pages.js';

const page = (path: string, title: string, load: PageDef['load'], nav = false): PageDef => ({
  path,
  title,
  permission: 'payments:manage',
  nav,
  load,
});

/**
 * The Payments pages, for `payments:manage` only: a member (`payments:read`) sees their own payments in the apps
 * they pay in, not here. Fixed paths come before `/console/payments/:id`, which would match them too.
 */
export const paymentsPages: PageDef[] = [
  page('/console/payments', 'Payments', () => import('./payments.js'), true),
  page('/console/payments/disputes', 'Disputes', () => import('./disputes.js')),
  page('/console/payments/disputes/:id', 'Dispute', () => import('./dispute.js')),
  page('/console/payments/ledger', 'Ledger', () => import('./ledger.js')),
  page('/console/payments/reconciliation', 'Reconciliation runs', () => import('./reconciliation.js')),
  page('/console/payments/reconciliation/:id', 'Reconciliation run', () => import('./reconciliation-run.js')),
  page('/console/payments/:id', 'Payment', () => import('./payment.js')),
];
