import { client } from '../../api.js';
import { PageHeader } from '../../components/actions.js';
import { dateTime } from '../../components/format.js';
import { FilterBar, Pager, useList } from '../../components/list.js';
import { Show } from '../../components/states.js';
import { DataTable } from '../../components/table.js';
import { StatusBadge, type User, YesNo } from './bits.js';
import './users.css';

const statusOf = (value: string | undefined) => (value === 'active' || value === 'disabled' ? value : undefined);

/** Users: search by email or name, filter by status and role, page through; each row opens the user. */
export default function UsersPage() {
  const list = useList(['q', 'status', 'role'], (f, cursor) =>
    client.GET('/api/v1/users', {
      params: { query: { q: f.q, status: statusOf(f.status), role: f.role, cursor, limit: 25 } },
    }),
  );
  return (
    <section class="page">
      <PageHeader title="Users" />
      <FilterBar
        list={list}
        fields={[
          { name: 'q', label: 'Search', type: 'search', placeholder: 'Email or name' },
          {
            name: 'status',
            label: 'Status',
            options: [
              ['', 'Any'],
              ['active', 'Active'],
              ['disabled', 'Disabled'],
            ],
          },
          { name: 'role', label: 'Role', placeholder: 'admin' },
        ]}
      />
      <Show state={list}>
        {(page) => (
          <DataTable<User>
            caption="Users"
            rows={page.data}
            rowKey={(u) => u.id}
            empty="No users match these filters."
            columns={[
              { label: 'Email', cell: (u) => <a href={`/console/users/${u.id}`}>{u.email}</a> },
              { label: 'Name', cell: (u) => u.name ?? '—' },
              { label: 'Status', cell: (u) => <StatusBadge status={u.status} /> },
              { label: 'Roles', cell: (u) => u.roles.join(', ') || '—' },
              { label: 'MFA', cell: (u) => <YesNo value={u.mfaEnabled} yes="On" no="Off" /> },
              { label: 'Created', cell: (u) => dateTime(u.createdAt) },
            ]}
          />
        )}
      </Show>
      <Pager list={list} />
    </section>
  );
}
