import { client } from '../../api.js';
import { ActionButton } from '../../components/actions.js';
import { Show } from '../../components/states.js';
import { DataTable } from '../../components/table.js';
import { useLoad } from '../../components/use-load.js';
import { useSession } from '../../session.js';
import { apiKeyColumns, sessionColumns } from './credential-columns.js';

/** A user's live sessions, each with "End session" for those who may change users. */
export function UserSessions({ userId }: { userId: string }) {
  const { can } = useSession();
  const path = { params: { path: { id: userId } } };
  const sessions = useLoad(() => client.GET('/api/v1/users/{id}/sessions', path), [userId]);
  return (
    <section class="section" aria-labelledby="sessions-h">
      <h2 id="sessions-h">Sessions</h2>
      <Show state={sessions}>
        {(page) => (
          <DataTable
            caption="Live sessions"
            rows={page.data}
            rowKey={(s) => s.id}
            empty="No live sessions."
            columns={sessionColumns((s) =>
              can('users:write') ? (
                <ActionButton
                  label="End session"
                  danger
                  confirm={`End the ${s.device} session?`}
                  run={() =>
                    client.DELETE('/api/v1/users/{id}/sessions/{sessionId}', {
                      params: { path: { id: userId, sessionId: s.id } },
                    })
                  }
                  onDone={sessions.reload}
                />
              ) : null,
            )}
          />
        )}
      </Show>
    </section>
  );
}

/** A user's API keys (never their secrets), each with "Revoke" for those who may change users. */
export function UserApiKeys({ userId }: { userId: string }) {
  const { can } = useSession();
  const keys = useLoad(() => client.GET('/api/v1/users/{id}/api-keys', { params: { path: { id: userId } } }), [userId]);
  return (
    <section class="section" aria-labelledby="keys-h">
      <h2 id="keys-h">API keys</h2>
      <Show state={keys}>
        {(page) => (
          <DataTable
            caption="API keys"
            rows={page.data}
            rowKey={(k) => k.id}
            empty="No API keys."
            columns={apiKeyColumns((k) =>
              can('users:write') ? (
                <ActionButton
                  label="Revoke"
                  danger
                  confirm={`Revoke the key ${k.name}?`}
                  run={() =>
                    client.DELETE('/api/v1/users/{id}/api-keys/{keyId}', {
                      params: { path: { id: userId, keyId: k.id } },
                    })
                  }
                  onDone={keys.reload}
                />
              ) : null,
            )}
          />
        )}
      </Show>
    </section>
  );
}
