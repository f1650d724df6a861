import { describe, expectTypeOf, it } from 'vitest';
import { createOnasisClient } from '../src/client.js';
import type { components } from '../src/schema.js';

// Compile-time checks of the surface the console and the README code against; the calls are never awaited.
const client = createOnasisClient({
  baseUrl: 'http://gateway',
  fetch: async () => new Response(null, { status: 204 }),
});
const never = <T>(promise: Promise<T>): Promise<T> => {
  promise.catch(() => undefined);
  return promise;
};

describe('types', () => {
  it('types answers, parameters and bodies from the schema', () => {
    expectTypeOf(never(client.GET('/api/v1/users/me'))).resolves.toExtend<components['schemas']['User']>();
    const jobs = never(client.GET('/api/v1/jobs', { params: { query: { status: 'dead', limit: 50 } } }));
    expectTypeOf(jobs).resolves.toHaveProperty('nextCursor').toEqualTypeOf<string | null>();
    never(client.POST('/api/v1/jobs/{id}/retry', { params: { path: { id: 'job_1' } } }));
    // @ts-expect-error: the path parameter is required
    never(client.POST('/api/v1/jobs/{id}/retry', {}));
    // @ts-expect-error: not a route of the platform
    never(client.GET('/api/v1/nowhere'));
  });

  it('types the items of paginate and offers it only on paged lists', () => {
    expectTypeOf(client.paginate('/api/v1/jobs')).toEqualTypeOf<
      AsyncGenerator<components['schemas']['Job'], void, undefined>
    >();
    // @ts-expect-error: /api/v1/users/me answers no page
    client.paginate('/api/v1/users/me');
  });
});
