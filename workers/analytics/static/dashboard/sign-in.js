// The dashboard's sign-in: email and password, then a second factor when the account has one. The session comes
// back as HttpOnly `__Host-` cookies (`cookie: true`), so no token ever reaches this script.
import { postJson } from './api.js';

const passwordStep = document.querySelector('#password-step');
const mfaStep = document.querySelector('#mfa-step');
const errorEl = document.querySelector('#error');
let mfaToken = '';

/** Where to go once signed in: only a path of the dashboard itself, never another site. */
function nextPage() {
  const next = new URLSearchParams(location.search).get('next') ?? '';
  return /^\/dashboard(?:[/?#]|$)/.test(next) ? next : '/dashboard';
}

function showError(err) {
  errorEl.textContent =
    err.status === 401
      ? 'Wrong email, password or code.'
      : err.status === 429
        ? `Too many attempts: ${err.message}`
        : err.message;
  errorEl.hidden = false;
}

async function submit(form, send) {
  const button = form.querySelector('button');
  button.disabled = true;
  errorEl.hidden = true;
  try {
    await send();
  } catch (err) {
    showError(err);
  } finally {
    button.disabled = false;
  }
}

passwordStep.addEventListener('submit', (event) => {
  event.preventDefault();
  void submit(passwordStep, async () => {
    const answer = await postJson('/auth/login', {
      email: passwordStep.email.value.trim(),
      password: passwordStep.password.value,
      cookie: true,
    });
    if (answer.mfaRequired) {
      mfaToken = answer.mfaToken;
      passwordStep.hidden = true;
      mfaStep.hidden = false;
      mfaStep.code.focus();
      return;
    }
    location.assign(nextPage());
  });
});

mfaStep.addEventListener('submit', (event) => {
  event.preventDefault();
  void submit(mfaStep, async () => {
    await postJson('/auth/mfa/verify', { mfaToken, code: mfaStep.code.value.trim(), cookie: true });
    location.assign(nextPage());
  });
});
