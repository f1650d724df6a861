import type { PageDef } from '../../pages.js';

/** The Files pages. */
export const filesPages: PageDef[] = [
  { path: '/console/files', title: 'Files', permission: 'files:read', load: () => import('./files.js') },
];
