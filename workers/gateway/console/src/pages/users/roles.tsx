import type { components } from '@onasis/client';
import { useState } from 'preact/hooks';
import { client } from '../../api.js';
import { ActionButton, Field, Form, PageHeader } from '../../components/actions.js';
import { Pager, useList } from '../../components/list.js';
import { Show } from '../../components/states.js';
import { useLoad } from '../../components/use-load.js';
import { useSession } from '../../session.js';
import { allOf, Checkboxes } from './bits.js';
import './users.css';

type Role = components['schemas']['Role'];
type Permission = components['schemas']['Permission'];

/** The permissions the platform knows: the built-in admin role holds every one of them. */
const loadKnown = async () =>
  (await client.GET('/api/v1/roles/{name}', { params: { path: { name: 'admin' } } })).permissions;

/** Roles and their permissions: create a role, change a custom role's permissions, delete it. Built-in roles are read-only. */
export default function RolesPage() {
  const { can } = useSession();
  const writable = can('roles:write');
  const known = useLoad(loadKnown, []);
  const list = useList([], (_f, cursor) => client.GET('/api/v1/roles', { params: { query: { cursor, limit: 50 } } }));
  const permissions = known.data ?? [];
  // A new key after each creation empties the form for the next role.
  const [created, setCreated] = useState(0);
  return (
    <section class="page">
      <PageHeader title="Roles" />
      <Show state={list}>
        {(page) => (
          <>
            {page.data.map((role) => (
              <RoleCard key={role.name} role={role} known={permissions} writable={writable} onDone={list.reload} />
            ))}
          </>
        )}
      </Show>
      <Pager list={list} />
      {writable && permissions.length > 0 ? (
        <section class="section" aria-labelledby="new-role-h">
          <h2 id="new-role-h">New role</h2>
          <Form
            key={created}
            label="New role"
            submitLabel="Create role"
            onSubmit={(form) =>
              client.POST('/api/v1/roles', {
                body: {
                  name: String(form.get('roleName') ?? '').trim(),
                  description: String(form.get('roleDescription') ?? ''),
                  permissions: allOf(form, 'permissions') as Permission[],
                },
              })
            }
            onDone={() => {
              setCreated((n) => n + 1);
              list.reload();
            }}
          >
            <Field name="roleName" label="Name" required hint="Lower-case letters, digits and dashes, e.g. support." />
            <Field name="roleDescription" label="Description" />
            <Checkboxes legend="Permissions" name="permissions" options={permissions} checked={[]} idPrefix="new" />
          </Form>
        </section>
      ) : null}
    </section>
  );
}

function RoleCard({
  role,
  known,
  writable,
  onDone,
}: {
  role: Role;
  known: readonly string[];
  writable: boolean;
  onDone: () => void;
}) {
  const editable = writable && !role.builtIn && known.length > 0;
  return (
    <article class="role-card" aria-labelledby={`role-${role.name}`}>
      <h2 id={`role-${role.name}`}>
        {role.name} {role.builtIn ? <span class="badge">Built-in</span> : null}
      </h2>
      <p class="muted">
        {role.description || 'No description.'} · {role.memberCount} {role.memberCount === 1 ? 'member' : 'members'}
      </p>
      {editable ? (
        <Form
          key={role.permissions.join()}
          label={`Permissions of ${role.name}`}
          submitLabel="Save permissions"
          onSubmit={(form) =>
            client.PATCH('/api/v1/roles/{name}', {
              params: { path: { name: role.name } },
              body: { permissions: allOf(form, 'permissions') as Permission[] },
            })
          }
          onDone={onDone}
        >
          <Checkboxes
            legend="Permissions"
            name="permissions"
            options={known}
            checked={role.permissions}
            idPrefix={`perm-${role.name}`}
          />
        </Form>
      ) : (
        <ul class="perm-list" aria-label={`Permissions of ${role.name}`}>
          {role.permissions.map((p) => (
            <li key={p}>
              <code>{p}</code>
            </li>
          ))}
        </ul>
      )}
      {writable && !role.builtIn ? (
        <ActionButton
          label={`Delete ${role.name}`}
          danger
          confirm={`Delete the role ${role.name}? Its ${role.memberCount} holders lose it and are signed out.`}
          run={() => client.DELETE('/api/v1/roles/{name}', { params: { path: { name: role.name } } })}
          onDone={onDone}
        />
      ) : null}
    </article>
  );
}
