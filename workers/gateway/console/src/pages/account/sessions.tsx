import { client } from '../../api.js';
import { ActionButton } from '../../components/actions.js';
import { Show } from '../../components/states.js';
import { DataTable } from '../../components/table.js';
import { useLoad } from '../../components/use-load.js';
import { sessionColumns } from '../users/credential-columns.js';

/** My live sessions: end one, or every one but this. */
export function AccountSessions() {
  const sessions = useLoad(() => client.GET('/api/v1/users/me/sessions'), []);
  const end = (id: string) => client.DELETE('/api/v1/users/me/sessions/{id}', { params: { path: { id } } });
  return (
    <section class="section" aria-labelledby="my-sessions-h">
      <h2 id="my-sessions-h">Sessions</h2>
      <Show state={sessions}>
        {(page) => {
          const others = page.data.filter((s) => !s.current);
          return (
            <>
              <DataTable
                caption="Where you are signed in"
                rows={page.data}
                rowKey={(s) => s.id}
                empty="No live sessions."
                columns={sessionColumns((s) =>
                  s.current ? null : (
                    <ActionButton
                      label="Sign out"
                      confirm={`Sign out the ${s.device} session?`}
                      run={() => end(s.id)}
                      onDone={sessions.reload}
                    />
                  ),
                )}
              />
              {others.length > 0 ? (
                <ActionButton
                  label="Sign out everywhere else"
                  danger
                  confirm={`Sign out ${others.length} other ${others.length === 1 ? 'session' : 'sessions'}?`}
                  // One call per session: /auth/logout-all would end this one too. A session gone meanwhile is a
                  // 404, which is the wanted outcome, so only other failures stop the loop.
                  run={async () => {
                    for (const s of others)
                      await end(s.id).catch((err: { status?: number }) => {
                        if (err.status !== 404) throw err;
                      });
                  }}
                  onDone={sessions.reload}
                />
              ) : null}
            </>
          );
        }}
      </Show>
    </section>
  );
}
