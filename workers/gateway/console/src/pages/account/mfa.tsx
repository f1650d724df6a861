import { useState } from 'preact/hooks';
import { renderSVG } from 'uqr';
import { client } from '../../api.js';
import { ActionButton, Field, Form } from '../../components/actions.js';
import { useSession } from '../../session.js';

type Enrollment = { secret: string; otpauthUri: string };

/** Recovery codes, shown this once. */
function RecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <div class="once" role="status">
      <p>
        <strong>Your recovery codes.</strong> Each signs you in once if you lose your authenticator. They are shown only
        now: keep them somewhere safe.
      </p>
      <ul class="codes" aria-label="Recovery codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The key URI as a QR code image: a data: URL, which the page's CSP allows (inline SVG markup would not be needed). */
function qrSource(uri: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(renderSVG(uri, { border: 2 }))}`;
}

/** Two-factor sign-in: enrol an authenticator (QR code and secret), confirm it, recovery codes, turn it off. */
export function AccountMfa() {
  const { me, reload } = useSession();
  const [enrollment, setEnrollment] = useState<Enrollment | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const codeOf = (form: FormData, name: string) => ({ code: String(form.get(name) ?? '').trim() });
  return (
    <section class="section" aria-labelledby="mfa-h">
      <h2 id="mfa-h">Two-factor authentication</h2>
      {codes ? <RecoveryCodes codes={codes} /> : null}
      {me.mfaEnabled ? (
        <>
          <p>
            <span class="badge ok">On</span> Signing in asks for a code from your authenticator app.
          </p>
          <h3>New recovery codes</h3>
          <Form
            label="New recovery codes"
            submitLabel="Replace recovery codes"
            onSubmit={async (form) =>
              setCodes(
                (await client.POST('/auth/mfa/recovery-codes', { body: codeOf(form, 'regenCode') })).recoveryCodes,
              )
            }
          >
            <Field name="regenCode" label="Code from your app" required autocomplete="one-time-code" />
          </Form>
          <h3>Turn off</h3>
          <Form
            label="Turn off two-factor authentication"
            submitLabel="Turn off"
            onSubmit={async (form) => {
              await client.POST('/auth/mfa/totp/disable', { body: codeOf(form, 'disableCode') });
              setCodes(null);
            }}
            onDone={() => void reload()}
          >
            <Field name="disableCode" label="Code or recovery code" required autocomplete="one-time-code" />
          </Form>
        </>
      ) : enrollment ? (
        <>
          <p>Scan this code with your authenticator app, or type the secret into it; then enter the code it shows.</p>
          <img class="qr" src={qrSource(enrollment.otpauthUri)} alt="QR code of your authenticator secret" />
          <p>
            Secret:{' '}
            <code class="secret" id="totp-secret">
              {enrollment.secret}
            </code>
          </p>
          <Form
            label="Confirm authenticator"
            submitLabel="Turn on"
            onSubmit={async (form) => {
              const answer = await client.POST('/auth/mfa/totp/confirm', { body: codeOf(form, 'confirmCode') });
              setCodes(answer.recoveryCodes);
              setEnrollment(null);
            }}
            onDone={() => void reload()}
          >
            <Field name="confirmCode" label="Code from your app" required autocomplete="one-time-code" />
          </Form>
        </>
      ) : (
        <>
          <p>
            <span class="muted">Off.</span> Add an authenticator app so that a password alone cannot sign in as you.
          </p>
          <ActionButton
            label="Set up an authenticator"
            run={async () => setEnrollment(await client.POST('/auth/mfa/totp/enroll'))}
          />
        </>
      )}
    </section>
  );
}
