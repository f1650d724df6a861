import { client } from '../../api.js';
import { PageHeader } from '../../components/actions.js';
import { bytes, percent } from '../../components/format.js';
import { FilterBar, useUrlQuery } from '../../components/list.js';
import { Show } from '../../components/states.js';
import { DataTable, Details } from '../../components/table.js';
import { useLoad } from '../../components/use-load.js';
import './files.css';

function Card({ label, value }: { label: string; value: string }) {
  return (
    <div class="card">
      <div class="label">{label}</div>
      <div class="value">{value}</div>
    </div>
  );
}

/** One user's bytes and files against their plan's quota (`?userId=` in the URL). */
function UserUsage({ userId }: { userId: string }) {
  const usage = useLoad(() => client.GET('/api/v1/files/usage', { params: { query: { userId } } }), [userId]);
  return (
    <section aria-labelledby="usage-title">
      <h3 id="usage-title">Usage of {userId}</h3>
      <Show state={usage}>
        {(u) => (
          <Details
            items={[
              ['Plan', u.plan],
              ['Bytes', `${bytes(u.bytesUsed)} of ${bytes(u.bytesAllowed)} (${percent(u.bytesUsed / u.bytesAllowed)})`],
              ['Files', `${u.filesUsed} of ${u.filesAllowed}`],
              ['Reserved for uploads', `${bytes(u.bytesReserved)} in ${u.filesReserved} files`],
            ]}
          />
        )}
      </Show>
    </section>
  );
}

/** Storage across all users: what deduplication and compression save, the trash, the largest users, one user's usage. */
export default function StoragePage() {
  const url = useUrlQuery();
  const userId = url.query.userId || undefined;
  const stats = useLoad(() => client.GET('/api/v1/files/stats'), []);
  return (
    <section class="page">
      <PageHeader title="Storage" />
      <p>
        <a href="/console/files">My files</a>
      </p>
      <Show state={stats}>
        {(s) => (
          <>
            <div class="cards">
              <Card label="Files (trash included)" value={String(s.files)} />
              <Card label="Distinct contents" value={String(s.blobs)} />
              <Card label="Stored by users" value={bytes(s.bytesLogical)} />
              <Card label="Held in storage" value={bytes(s.bytesStored)} />
              <Card label="Saved by deduplication" value={bytes(s.bytesSavedByDeduplication)} />
              <Card label="Saved by compression" value={bytes(s.bytesSavedByCompression)} />
              <Card label="Standard class" value={bytes(s.bytesByStorageClass.Standard)} />
              <Card label="Infrequent Access class" value={bytes(s.bytesByStorageClass.InfrequentAccess)} />
              <Card
                label="In the trash"
                value={`${bytes(s.trash.bytes)} (${s.trash.files} ${s.trash.files === 1 ? 'file' : 'files'})`}
              />
            </div>
            <h2>Largest users</h2>
            <DataTable
              caption="The ten users holding the most bytes, trash included"
              rows={s.topUsers}
              rowKey={(u) => u.userId}
              empty="Nobody stores anything yet."
              columns={[
                {
                  label: 'User',
                  cell: (u) => (
                    <a href={`/console/storage?userId=${encodeURIComponent(u.userId)}`}>
                      <code>{u.userId}</code>
                    </a>
                  ),
                },
                { label: 'Files', numeric: true, cell: (u) => u.files },
                { label: 'Bytes', numeric: true, cell: (u) => bytes(u.bytes) },
              ]}
            />
          </>
        )}
      </Show>
      <h2>Usage of one user</h2>
      <FilterBar
        list={{ filters: { userId }, setFilters: (changes) => url.set(changes) }}
        fields={[{ name: 'userId', label: 'User ID', placeholder: 'usr_…' }]}
      />
      {userId && <UserUsage userId={userId} />}
    </section>
  );
}
