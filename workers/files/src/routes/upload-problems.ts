import { problemCatalog } from '@onasis/http';

/** OpenAPI responses for the problem statuses an upload route can answer. */
export const uploadProblems = problemCatalog({
  400: 'The request is not valid (`VALIDATION_FAILED`): a bad name or folder, a malformed multipart body, a body not of its declared length',
  401: 'No valid access token (`UNAUTHENTICATED`)',
  403: 'The caller lacks the permission (`FORBIDDEN`), or the upload URL signature is wrong (`INVALID_SIGNATURE`)',
  409: 'A file with this name already exists in the folder (`FILE_EXISTS`)',
  410: 'The upload URL expired or was used (`GONE`)',
  413: 'Over the storage quota (`STORAGE_QUOTA_EXCEEDED`) or over the size limit (`PAYLOAD_TOO_LARGE`); nothing stored',
  415: 'The content is not its declared type (`CONTENT_TYPE_MISMATCH`), or its type is refused (`FILE_TYPE_REFUSED`)',
});

/** The request body an upload route documents (never validated by a schema: it streams). */
export const uploadBody = {
  content: {
    'application/octet-stream': {
      schema: {
        type: 'string' as const,
        format: 'binary',
        description: 'The file, any type; `Content-Type` is its declared type.',
      },
    },
    'multipart/form-data': {
      schema: {
        type: 'object' as const,
        properties: {
          folder: { type: 'string' as const, description: 'Before the file part.' },
          file: {
            type: 'string' as const,
            format: 'binary',
            description: 'The first part with a filename is the file.',
          },
        },
      },
    },
  },
  required: true,
};
