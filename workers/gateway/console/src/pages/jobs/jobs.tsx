import { PageHeader } from '../../components/actions.js';

/** Jobs: to be built. */
export default function JobsPage() {
  return <PageHeader title="Jobs" />;
}
