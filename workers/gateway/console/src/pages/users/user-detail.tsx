import { useRoute } from 'preact-iso';
import { client } from '../../api.js';
import { ActionButton, PageHeader } from '../../components/actions.js';
import { dateTime } from '../../components/format.js';
import { Show } from '../../components/states.js';
import { Details } from '../../components/table.js';
import { useLoad } from '../../components/use-load.js';
import { useSession } from '../../session.js';
import { StatusBadge, type User, YesNo } from './bits.js';
import { UserApiKeys, UserSessions } from './user-credentials.js';
import { UserRoles } from './user-roles.js';
import './users.css';

/** One user: profile, status (disable/enable), roles, their sessions and API keys. */
export default function UserDetailPage() {
  const { params } = useRoute();
  const id = params.id ?? '';
  const user = useLoad(() => client.GET('/api/v1/users/{id}', { params: { path: { id } } }), [id]);
  return (
    <section class="page">
      <Show state={user}>{(u) => <UserView user={u} reload={user.reload} />}</Show>
      {user.status !== 'ready' ? <PageHeader title="User" /> : null}
      <p>
        <a href="/console/users">Back to users</a>
      </p>
    </section>
  );
}

function UserView({ user, reload }: { user: User; reload: () => void }) {
  const { can, me } = useSession();
  const writable = can('users:write');
  const setStatus = (status: User['status']) =>
    client.PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body: { status } });
  return (
    <>
      <PageHeader title={user.name ?? user.email} />
      <Details
        items={[
          ['Email', user.email],
          ['Name', user.name ?? '—'],
          ['Status', <StatusBadge key="s" status={user.status} />],
          ['Roles', user.roles.join(', ') || '—'],
          ['MFA', <YesNo key="m" value={user.mfaEnabled} yes="On" no="Off" />],
          ['Email verified', <YesNo key="v" value={user.emailVerified} />],
          ['Locale', user.locale ?? '—'],
          ['Time zone', user.timezone ?? '—'],
          ['Created', dateTime(user.createdAt)],
          ['ID', <code key="i">{user.id}</code>],
        ]}
      />
      {writable && user.id !== me.id ? (
        <div class="row-actions">
          {user.status === 'active' ? (
            <ActionButton
              label="Disable user"
              danger
              confirm={`Disable ${user.email}? They are signed out everywhere.`}
              run={() => setStatus('disabled')}
              onDone={reload}
            />
          ) : (
            <ActionButton label="Enable user" run={() => setStatus('active')} onDone={reload} />
          )}
        </div>
      ) : null}
      <UserRoles user={user} onDone={reload} />
      <UserSessions userId={user.id} />
      <UserApiKeys userId={user.id} />
    </>
  );
}
