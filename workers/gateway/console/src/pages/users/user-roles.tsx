import { client } from '../../api.js';
import { Form } from '../../components/actions.js';
import { useLoad } from '../../components/use-load.js';
import { useSession } from '../../session.js';
import { allOf, Checkboxes, type User } from './bits.js';

/**
 * A user's roles as checkboxes. The API refuses grants beyond the caller's own (its problem shows under the form),
 * so the console offers every role and lets the API decide.
 */
export function UserRoles({ user, onDone }: { user: User; onDone: () => void }) {
  const { can } = useSession();
  const roles = useLoad(
    async () =>
      can('roles:read')
        ? (await client.GET('/api/v1/roles', { params: { query: { limit: 100 } } })).data.map((r) => r.name)
        : [],
    [],
  );
  const names = [...new Set([...(roles.data ?? []), ...user.roles, 'member'])].sort();
  return (
    <section class="section" aria-labelledby="roles-h">
      <h2 id="roles-h">Roles</h2>
      {can('users:write') ? (
        <Form
          key={`${user.roles.join()}|${names.join()}`}
          label="Roles"
          submitLabel="Save roles"
          onSubmit={(form) =>
            client.PUT('/api/v1/users/{id}/roles', {
              params: { path: { id: user.id } },
              body: { roles: allOf(form, 'roles') },
            })
          }
          onDone={onDone}
        >
          <Checkboxes legend="Roles held" name="roles" options={names} checked={user.roles} idPrefix="role" />
        </Form>
      ) : (
        <p>{user.roles.join(', ') || 'No roles.'}</p>
      )}
    </section>
  );
}
