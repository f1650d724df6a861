import { client } from '../../api.js';
import { Field, Form, PageHeader } from '../../components/actions.js';
import { useSession } from '../../session.js';
import { AccountApiKeys } from './api-keys.js';
import { AccountMfa } from './mfa.js';
import { AccountSessions } from './sessions.js';
import '../users/users.css';

/** A text field's value, or null when left empty (the API clears the field then). */
const orNull = (form: FormData, name: string) => String(form.get(name) ?? '').trim() || null;

/** My account, for every signed-in user: profile, password, MFA, sessions and API keys. */
export default function AccountPage() {
  const { me, reload } = useSession();
  return (
    <section class="page">
      <PageHeader title="My account">
        <p class="muted">{me.email}</p>
      </PageHeader>
      <section aria-labelledby="profile-h">
        <h2 id="profile-h">Profile</h2>
        <Form
          key={`${me.name}|${me.locale}|${me.timezone}`}
          label="Profile"
          submitLabel="Save profile"
          onSubmit={(form) =>
            client.PATCH('/api/v1/users/me', {
              body: { name: orNull(form, 'name'), locale: orNull(form, 'locale'), timezone: orNull(form, 'timezone') },
            })
          }
          onDone={() => void reload()}
        >
          <Field name="name" label="Name" value={me.name ?? ''} autocomplete="name" />
          <Field name="locale" label="Locale" value={me.locale ?? ''} hint="A language tag such as en or pt-BR." />
          <Field name="timezone" label="Time zone" value={me.timezone ?? ''} hint="Such as Europe/Paris." />
        </Form>
      </section>
      <section class="section" aria-labelledby="password-h">
        <h2 id="password-h">Password</h2>
        <p class="muted">Changing it signs out every other session.</p>
        <PasswordForm />
      </section>
      <AccountMfa />
      <AccountSessions />
      <AccountApiKeys />
    </section>
  );
}

function PasswordForm() {
  return (
    <Form
      label="Change password"
      submitLabel="Change password"
      onSubmit={async (form) => {
        await client.PATCH('/api/v1/users/me', {
          body: {
            currentPassword: String(form.get('currentPassword') ?? ''),
            password: String(form.get('newPassword') ?? ''),
          },
        });
        for (const input of document.querySelectorAll<HTMLInputElement>('input[type="password"]')) input.value = '';
      }}
    >
      <Field name="currentPassword" label="Current password" type="password" required autocomplete="current-password" />
      <Field name="newPassword" label="New password" type="password" required autocomplete="new-password" />
    </Form>
  );
}
