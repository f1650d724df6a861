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
