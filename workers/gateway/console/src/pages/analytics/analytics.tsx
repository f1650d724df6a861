import { PageHeader } from '../../components/actions.js';

/** Analytics: to be built. */
export default function AnalyticsPage() {
  return <PageHeader title="Analytics" />;
}
