import { PageHeader } from '../../components/actions.js';

/** Payments: to be built. */
export default function PaymentsPage() {
  return <PageHeader title="Payments" />;
}
