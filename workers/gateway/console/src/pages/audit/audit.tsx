import { PageHeader } from '../../components/actions.js';

/** Audit log: to be built. */
export default function AuditlogPage() {
  return <PageHeader title="Audit log" />;
}
