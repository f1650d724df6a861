import type { PageDef } from '../../pages.js';

/** The Files pages: the signed-in user's own files, and storage across all users for `files:manage`. */
export const filesPages: PageDef[] = [
  { path: '/console/files', title: 'Files', permission: 'files:read', load: () => import('./files.js') },
  {
    path: '/console/storage',
    title: 'Storage',
    permission: 'files:manage',
    load: () => import('./storage.js'),
  },
];
