import { AppError } from '@onasis/http';
import { z } from 'zod';

/** What one plan may store. */
export interface Quota {
  bytes: number;
  files: number;
}

const QuotasSchema = z.record(
  z.string().min(1),
  z.object({ bytes: z.number().int().nonnegative(), files: z.number().int().nonnegative() }),
);

/** The defaults when FILE_QUOTAS is empty: 1 GiB and 10,000 files for `free`. */
export const DEFAULT_QUOTAS: Record<string, Quota> = { free: { bytes: 1024 ** 3, files: 10_000 } };

let cached: { raw: string | undefined; quotas: Record<string, Quota> } | undefined;

/** FILE_QUOTAS parsed once per isolate; a malformed value is an operator's mistake, so it fails loudly. */
export function quotas(env: Pick<FilesEnv, 'FILE_QUOTAS'>): Record<string, Quota> {
  if (cached?.raw === env.FILE_QUOTAS) return cached.quotas;
  const raw = env.FILE_QUOTAS?.trim();
  const parsed = raw ? QuotasSchema.safeParse(JSON.parse(raw)) : { success: true as const, data: DEFAULT_QUOTAS };
  if (!parsed.success) throw new Error('FILE_QUOTAS is not a JSON object of { bytes, files } per plan');
  cached = { raw: env.FILE_QUOTAS, quotas: parsed.data };
  return parsed.data;
}

/** The quota of `plan`; an unknown plan (or none) gets `free`'s. */
export function quotaOf(env: Pick<FilesEnv, 'FILE_QUOTAS'>, plan: string | undefined | null): Quota {
  const all = quotas(env);
  return all[plan ?? 'free'] ?? all.free ?? (DEFAULT_QUOTAS.free as Quota);
}

/** A positive integer var, or its default when unset or malformed. */
export function intVar(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** Largest file one upload may store. */
export const maxUploadBytes = (env: Pick<FilesEnv, 'MAX_UPLOAD_BYTES'>) =>
  intVar(env.MAX_UPLOAD_BYTES, 100 * 1024 * 1024);

/** Parts of R2 multipart uploads (tus, and streams of unknown length): all equal but the last, as R2 requires. */
export const PART_SIZE = 8 * 1024 * 1024;

/** The secret a signature or seal needs; its absence is a deployment mistake. */
export function secretOf(value: string | undefined, name: string): string {
  if (!value) throw new AppError('SERVICE_UNAVAILABLE', `${name} is not configured.`);
  return value;
}
