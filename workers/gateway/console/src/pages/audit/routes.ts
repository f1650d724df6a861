import type { PageDef } from '../../pages.js';

/** The Audit log pages. */
export const auditPages: PageDef[] = [
  { path: '/console/audit-logs', title: 'Audit log', permission: 'audit-logs:read', load: () => import('./audit.js') },
];
