import { PageHeader } from '../../components/actions.js';

/** Files: to be built. */
export default function FilesPage() {
  return <PageHeader title="Files" />;
}
