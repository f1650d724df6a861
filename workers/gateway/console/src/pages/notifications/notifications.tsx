import { PageHeader } from '../../components/actions.js';

/** Notifications: to be built. */
export default function NotificationsPage() {
  return <PageHeader title="Notifications" />;
}
