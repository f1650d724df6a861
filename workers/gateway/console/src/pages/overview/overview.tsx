import { PageHeader } from '../../components/actions.js';

/** Overview: to be built. */
export default function OverviewPage() {
  return <PageHeader title="Overview" />;
}
