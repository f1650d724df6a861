import { problemCatalog } from '@onasis/http';

/** OpenAPI responses for the problem statuses an analytics route can answer; each route lists the ones it gives. */
export const problems = problemCatalog({
  400: 'The request is not valid (`VALIDATION_FAILED` with `errors`, `MALFORMED_JSON`): a domain, time zone, limit, cursor, event field, timestamp, metric, dimension, period, filter or date range; nothing changed',
  401: 'No valid access token (`UNAUTHENTICATED`), or a batch without a known ingest key (`INVALID_INGEST_KEY`)',
  403: 'The caller lacks the permission (`FORBIDDEN`), e.g. creates a site for another owner without `analytics:manage`',
  404: 'No such site the caller may use (`NOT_FOUND`): the same answer whether it does not exist, was deleted or is not theirs',
  409: 'Another live site already tracks this domain (`SITE_DOMAIN_TAKEN`)',
  415: 'A batch that is not `application/json` (`UNSUPPORTED_MEDIA_TYPE`); nothing queued',
});
