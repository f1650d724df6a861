import { PageHeader } from '../../components/actions.js';

/** My account: to be built. */
export default function MyaccountPage() {
  return <PageHeader title="My account" />;
}
