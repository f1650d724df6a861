import type { FetchResponse, MaybeOptionalInit } from 'openapi-fetch';
import type { HttpMethod, PathsWithMethod, RequiredKeysOf } from 'openapi-typescript-helpers';
import type { paths } from './schema.js';

type InitParam<Init> = RequiredKeysOf<Init> extends never ? [Init?] : [Init];
type Media = `${string}/${string}`;

/** What a successful call resolves to: the parsed JSON body (undefined for 204). */
export type DataOf<R> = R extends { data: infer D } ? Exclude<D, undefined> : never;

/** The parsed 2xx body of operation `Op` called with `I`. */
type Answer<Op, I> = Op extends Record<string | number, unknown> ? DataOf<FetchResponse<Op, I, Media>> : never;

/** One HTTP method of the client: the path's parameters and body typed from the schema, the answer too. */
export type Method<M extends HttpMethod> = <
  P extends PathsWithMethod<paths, M>,
  I extends MaybeOptionalInit<paths[P], M>,
>(
  url: P,
  ...init: InitParam<I>
) => Promise<Answer<paths[P][M], I>>;

type GetData<P extends keyof paths> = Answer<paths[P]['get'], object>;

/** Paths whose GET answers a `{ data, nextCursor }` page. */
export type PagedPath = {
  [P in PathsWithMethod<paths, 'get'>]: GetData<P> extends { data: unknown[]; nextCursor: string | null } ? P : never;
}[PathsWithMethod<paths, 'get'>];

/** One item of the pages of `P`. */
export type ItemOf<P extends PagedPath> = GetData<P> extends { data: (infer T)[] } ? T : never;

/** The options of a GET to `P` (query, path parameters, headers, signal). */
export type GetInit<P extends PagedPath> = MaybeOptionalInit<paths[P], 'get'>;
