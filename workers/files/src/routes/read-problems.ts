import { problemCatalog } from '@onasis/http';

/** OpenAPI responses for the problem statuses of the routes that read, manage and share files. */
export const problems = problemCatalog({
  400: 'The request is not valid (`VALIDATION_FAILED`): a name, a folder, a limit, a cursor, an image size',
  401: 'No valid access token (`UNAUTHENTICATED`)',
  403: 'The caller lacks the permission (`FORBIDDEN`), or a signed URL was changed or has expired (`INVALID_SIGNATURE`)',
  404: 'No such file the caller may use (`NOT_FOUND`): the same answer whether it does not exist or is not theirs',
  409: 'Another live file of the owner has this folder and name (`FILE_EXISTS`)',
  416: 'The range starts past the end of the content (`RANGE_NOT_SATISFIABLE`); `Content-Range: bytes */<size>`',
});
