import { PageHeader } from '../../components/actions.js';

/** Users: to be built. */
export default function UsersPage() {
  return <PageHeader title="Users" />;
}
