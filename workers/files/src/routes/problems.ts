import { problemCatalog } from '@onasis/http';

/** OpenAPI responses for the problem statuses a files route can answer; each route lists the ones it gives. */
export const problems = problemCatalog({
  400: 'The request is not valid (`VALIDATION_FAILED`, `MALFORMED_JSON`, `BAD_REQUEST`): a name, folder, limit, cursor or image size; a malformed multipart body or tus header; a body not of its declared length',
  401: 'No valid access token (`UNAUTHENTICATED`)',
  403: 'The caller lacks the permission, or calls key routes with an API key (`FORBIDDEN`); a signed or upload URL was changed or has expired (`INVALID_SIGNATURE`)',
  404: 'No such file, upload or key the caller may use (`NOT_FOUND`): the same answer whether it does not exist or is not theirs',
  409: 'A live file of the owner has this folder and name (`FILE_EXISTS`); a tus `Upload-Offset` that is not the current one, or a PATCH in progress (`CONFLICT`, with the real `Upload-Offset`); too many S3 keys (`CONFLICT`)',
  410: 'The upload or upload URL expired, or the URL was used (`GONE`)',
  412: '`Tus-Resumable` missing or not 1.0.0 (`PRECONDITION_FAILED`)',
  413: 'Over the storage quota (`STORAGE_QUOTA_EXCEEDED`) or the size limit (`PAYLOAD_TOO_LARGE`); nothing stored',
  415: 'The content is not its declared type (`CONTENT_TYPE_MISMATCH`), its type is refused (`FILE_TYPE_REFUSED`), or a tus PATCH is not `application/offset+octet-stream` (`UNSUPPORTED_MEDIA_TYPE`)',
  416: 'The range starts past the end of the content (`RANGE_NOT_SATISFIABLE`); `Content-Range: bytes */<size>`',
});
