import { useState } from 'preact/hooks';
import { client } from '../../api.js';
import { ActionButton, Field, Form } from '../../components/actions.js';
import { Show } from '../../components/states.js';
import { DataTable } from '../../components/table.js';
import { useLoad } from '../../components/use-load.js';
import { useSession } from '../../session.js';
import { allOf, Checkboxes } from '../users/bits.js';
import { apiKeyColumns } from '../users/credential-columns.js';

/** My API keys: create one (scopes limited to what I hold; the secret is shown once), list, revoke. */
export function AccountApiKeys() {
  const { me } = useSession();
  const keys = useLoad(() => client.GET('/api/v1/users/me/api-keys'), []);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  return (
    <section class="section" aria-labelledby="my-keys-h">
      <h2 id="my-keys-h">API keys</h2>
      {secret ? (
        <div class="once" role="status">
          <p>
            <strong>The key {secret.name}:</strong> copy it now, it is not shown again.
          </p>
          <code id="new-api-key">{secret.secret}</code>
        </div>
      ) : null}
      <Show state={keys}>
        {(page) => (
          <DataTable
            caption="Your API keys"
            rows={page.data}
            rowKey={(k) => k.id}
            empty="You have no API keys."
            columns={apiKeyColumns((k) => (
              <ActionButton
                label="Revoke"
                danger
                confirm={`Revoke ${k.name}? Programs using it stop working.`}
                run={() => client.DELETE('/api/v1/users/me/api-keys/{id}', { params: { path: { id: k.id } } })}
                onDone={keys.reload}
              />
            ))}
          />
        )}
      </Show>
      <h3>New key</h3>
      <Form
        label="New API key"
        submitLabel="Create key"
        onSubmit={async (form) => {
          const name = String(form.get('keyName') ?? '').trim();
          const created = await client.POST('/api/v1/users/me/api-keys', {
            body: { name, scopes: allOf(form, 'scopes') },
          });
          setSecret({ name, secret: created.secret });
        }}
        onDone={keys.reload}
      >
        <Field name="keyName" label="Key name" required />
        <Checkboxes legend="Scopes" name="scopes" options={me.permissions} checked={[]} idPrefix="scope" />
      </Form>
    </section>
  );
}
