import type { HealthReport } from '@onasis/contracts';
import { DomainEntrypoint, d1Check, runHealthChecks } from '@onasis/http';
import { app } from './app.js';
import type { AppEnv } from './context.js';

/** RPC surface of the files Worker, bound by the gateway as `FILES`. */
export class FilesService extends DomainEntrypoint<AppEnv> {
  protected readonly app = app;
  protected readonly tag = {
    name: 'files',
    description: 'File metadata, shares, quotas, resumable uploads and object storage in R2.',
  };

  health(): Promise<HealthReport> {
    return runHealthChecks({ db: d1Check(this.env.DB), bucket: () => this.env.FILES_BUCKET.head('health-probe') });
  }
}
