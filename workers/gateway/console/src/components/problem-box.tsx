import { OnasisError } from '@onasis/client';

/**
 * A failed call as the user should see it: what went wrong (the problem's `detail`), its code, and the request ID
 * to quote to whoever runs the platform.
 */
export function ProblemBox({ error, title = 'Something went wrong' }: { error: unknown; title?: string }) {
  const problem = error instanceof OnasisError ? error : null;
  return (
    <div class="problem" role="alert">
      <p class="problem-title">{title}</p>
      <p class="problem-detail">{error instanceof Error ? error.message : String(error)}</p>
      {problem && (
        <p class="problem-meta">
          <span>
            Code <code>{problem.code}</code>
          </span>{' '}
          <span>
            Request ID <code class="request-id">{problem.requestId ?? 'none'}</code>
          </span>
        </p>
      )}
      {problem && problem.errors.length > 0 && (
        <ul class="problem-errors">
          {problem.errors.map((field) => (
            <li key={field.path}>
              <code>{field.path}</code>: {field.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
