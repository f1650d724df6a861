import type { ComponentType } from 'preact';
import { accountPages } from './pages/account/routes.js';
import { analyticsPages } from './pages/analytics/routes.js';
import { auditPages } from './pages/audit/routes.js';
import { filesPages } from './pages/files/routes.js';
import { jobsPages } from './pages/jobs/routes.js';
import { notificationsPages } from './pages/notifications/routes.js';
import { overviewPages } from './pages/overview/routes.js';
import { paymentsPages } from './pages/payments/routes.js';
import { usersPages } from './pages/users/routes.js';

/** One page of the console. */
export interface PageDef {
  /** preact-iso route pattern under /console, for example `/console/users/:id`. */
  path: string;
  title: string;
  /** The permission its API needs ('authenticated': any signed-in user). Without it the page is not shown. */
  permission: string;
  /** Shown in the navigation (detail pages are not). */
  nav?: boolean;
  load: () => Promise<{ default: ComponentType }>;
}

/** Every page, in navigation order. */
export const PAGES: PageDef[] = [
  ...overviewPages,
  ...usersPages,
  ...auditPages,
  ...jobsPages,
  ...notificationsPages,
  ...paymentsPages,
  ...filesPages,
  ...analyticsPages,
  ...accountPages,
];
