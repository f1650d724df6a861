import type { components } from '@onasis/client';
import { useState } from 'preact/hooks';
import { client } from '../../api.js';
import { useAction } from '../../components/actions.js';
import { ProblemBox } from '../../components/problem-box.js';

type Verification = components['schemas']['AuditChainVerification'];

const REASONS: Record<string, string> = {
  missing_entry: 'an entry is missing',
  prev_hash_mismatch: 'it does not link to the entry before it',
  hash_mismatch: 'its hash does not match its content',
  malformed_entry: 'it cannot be read',
  archive_mismatch: 'the archive does not match the live log',
  archive_missing: 'an archived segment is missing',
};

/** "Verify chain": recomputes every hash of the log and says whether it is intact or where it first breaks. */
export function VerifyChain() {
  const [result, setResult] = useState<Verification | null>(null);
  const verify = useAction(async () => setResult(await client.GET('/api/v1/audit-logs/verify')));
  return (
    <div class="verify">
      <button type="button" class="primary" disabled={verify.busy} onClick={() => void verify.start()}>
        {verify.busy ? 'Verifying…' : 'Verify chain'}
      </button>
      <div role="status" aria-live="polite">
        {result?.valid === true ? (
          <p class="chain ok">
            <strong>Chain intact.</strong> {result.entries} entries checked; newest hash{' '}
            <code>{result.head.slice(0, 16)}…</code>
          </p>
        ) : null}
        {result?.valid === false ? (
          <p class="chain bad">
            <strong>Chain broken at entry {result.firstBrokenSeq}:</strong> {REASONS[result.reason] ?? result.reason}.{' '}
            The {result.entries} entries before it passed.
          </p>
        ) : null}
      </div>
      {verify.error ? <ProblemBox error={verify.error} title="Verification failed" /> : null}
    </div>
  );
}
