import type { components } from '@onasis/client';
import type { ComponentChildren } from 'preact';
import { dateTime } from '../../components/format.js';
import type { Column } from '../../components/table.js';

type Session = components['schemas']['Session'];
type ApiKey = components['schemas']['ApiKey'];

/** The columns of a session list, one's own or another user's, ending with `action` (ending or signing it out). */
export function sessionColumns(action: (s: Session) => ComponentChildren): Column<Session>[] {
  return [
    { label: 'Device', cell: (s) => (s.current ? `${s.device} (this session)` : s.device) },
    { label: 'IP', cell: (s) => s.ip ?? '—' },
    { label: 'Method', cell: (s) => s.method },
    { label: 'Signed in', cell: (s) => dateTime(s.createdAt) },
    { label: 'Last used', cell: (s) => dateTime(s.lastUsedAt) },
    { label: 'Actions', cell: action },
  ];
}

/** The columns of an API key list (never a secret), one's own or another user's, ending with `action`. */
export function apiKeyColumns(action: (k: ApiKey) => ComponentChildren): Column<ApiKey>[] {
  return [
    { label: 'Name', cell: (k) => k.name },
    { label: 'Key', cell: (k) => <code>{k.prefix}…</code> },
    { label: 'Scopes', cell: (k) => k.scopes.join(', ') || 'none' },
    { label: 'Created', cell: (k) => dateTime(k.createdAt) },
    { label: 'Last used', cell: (k) => dateTime(k.lastUsedAt) },
    { label: 'Expires', cell: (k) => dateTime(k.expiresAt) },
    { label: 'Actions', cell: action },
  ];
}
