import { SERVICE_NAMES, type ServiceName } from '@onasis/contracts';
import type { OpenApiPart } from '@onasis/http';
import { withTimeout } from './bindings.js';

type Document = {
  paths?: Record<string, unknown>;
  components?: Record<string, Record<string, unknown> | undefined>;
  tags?: { name: string; description?: string }[];
} & Record<string, unknown>;

/** The OpenAPI source of one service. */
export type PartSource = () => Promise<OpenApiPart>;

/**
 * The gateway's document with every service's paths, schemas and tag merged in. A service that does not answer is
 * left out and named under `x-unavailable-services`, so the reference still loads while one service is down.
 */
export async function mergeOpenApi(
  base: Document,
  sources: Record<ServiceName, PartSource>,
  timeoutMs: number,
): Promise<{ document: Document; complete: boolean }> {
  const parts = await Promise.all(
    SERVICE_NAMES.map(async (name) => {
      try {
        return [name, await withTimeout(sources[name](), timeoutMs)] as const;
      } catch {
        return [name, null] as const;
      }
    }),
  );
  const document: Document = {
    ...base,
    paths: { ...base.paths },
    components: { ...base.components, schemas: { ...base.components?.schemas } },
    tags: [...(base.tags ?? [])],
  };
  const unavailable: string[] = [];
  for (const [name, part] of parts) {
    if (!part) {
      unavailable.push(name);
      continue;
    }
    Object.assign(document.paths as object, part.paths);
    for (const [kind, entries] of Object.entries(part.components)) {
      const components = document.components as Record<string, Record<string, unknown>>;
      components[kind] = { ...components[kind], ...(entries as Record<string, unknown>) };
    }
    document.tags?.push(...part.tags);
  }
  if (unavailable.length > 0) document['x-unavailable-services'] = unavailable;
  return { document, complete: unavailable.length === 0 };
}
