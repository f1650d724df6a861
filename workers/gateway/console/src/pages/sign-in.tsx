import { useEffect, useState } from 'preact/hooks';
import { client, safeNext } from '../api.js';
import { Field, Form } from '../components/actions.js';

/**
 * Email and password, then a second factor when the account has one. The session comes back as HttpOnly `__Host-`
 * cookies, so no token ever reaches this page's script.
 */
export function SignIn() {
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const next = safeNext(new URLSearchParams(location.search).get('next'));
  useEffect(() => {
    document.title = 'Sign in · Onasis Console';
  }, []);
  const done = () => location.assign(next);
  return (
    <main class="centered sign-in" id="main">
      <h1>Sign in to the Onasis Console</h1>
      {mfaToken === null ? (
        <Form
          label="Sign in"
          submitLabel="Sign in"
          onSubmit={async (form) => {
            const answer = await client.signIn({
              email: String(form.get('email') ?? '').trim(),
              password: String(form.get('password') ?? ''),
            });
            if (answer.mfaRequired) setMfaToken(answer.mfaToken);
            else done();
          }}
        >
          <Field name="email" label="Email" type="email" required autocomplete="username" />
          <Field name="password" label="Password" type="password" required autocomplete="current-password" />
        </Form>
      ) : (
        <Form
          label="Second factor"
          submitLabel="Verify"
          onSubmit={async (form) => {
            await client.verifyMfa({ mfaToken, code: String(form.get('code') ?? '').trim() });
            done();
          }}
        >
          <p>Enter the 6-digit code from your authenticator app, or a recovery code.</p>
          <Field name="code" label="Code" required autocomplete="one-time-code" />
        </Form>
      )}
    </main>
  );
}
