// Calls the platform's public API from the browser with the HttpOnly `__Host-` session cookies: same origin only, no
// token ever in JavaScript's reach or in storage. The gateway refuses cookie-authenticated writes without an allowed
// Origin, which a same-origin fetch always sends.

/** A non-2xx answer, with its problem+json body when there is one. */
export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

let refreshing;

/** Renews the access cookie from the refresh cookie once, shared by every call that met a 401 at the same time. */
function refreshSession() {
  if (refreshing) return refreshing;
  refreshing = fetch('/auth/refresh', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ cookie: true }),
  })
    .then((res) => res.ok)
    .catch(() => false)
    .finally(() => {
      setTimeout(() => {
        refreshing = undefined;
      }, 1000);
    });
  return refreshing;
}

async function send(path, init) {
  return fetch(path, {
    credentials: 'same-origin',
    ...init,
    headers: { accept: 'application/json', ...init?.headers },
  });
}

/** The JSON answer of `path`; a 401 renews the session once, then throws ApiError(401). */
export async function getJson(path) {
  let res = await send(path);
  if (res.status === 401 && (await refreshSession())) res = await send(path);
  if (!res.ok) {
    const problem = await res.json().catch(() => undefined);
    throw new ApiError(res.status, problem);
  }
  return res.json();
}

/** POSTs JSON and answers the parsed body (or throws ApiError with the problem). */
export async function postJson(path, body) {
  const res = await send(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json().catch(() => undefined);
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

/** The sign-in page, coming back to the current page afterwards. */
export function goToSignIn() {
  const next = location.pathname + location.search + location.hash;
  location.assign(`/dashboard/sign-in?next=${encodeURIComponent(next)}`);
}
