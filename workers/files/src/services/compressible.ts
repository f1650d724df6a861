// Types whose bytes shrink under gzip: text and text-like structured data. Formats already compressed (images,
// video, archives, office documents) are left as they are: gzip would cost CPU and save nothing.
const TEXT_LIKE =
  /^(text\/.+|application\/(json|ld\+json|manifest\+json|x-ndjson|ndjson|jsonl|xml|javascript|ecmascript|x-javascript|typescript|x-sh|x-yaml|yaml|toml|sql|graphql|csv|x-csv|rtf|x-tex|postscript|wasm|x-www-form-urlencoded)|image\/(svg\+xml|bmp|x-ms-bmp|x-icon|vnd\.microsoft\.icon|tiff)|font\/(ttf|otf)|.+\+(json|xml))$/;

/** Whether content of `contentType` is stored gzip-compressed. */
export const isCompressible = (contentType: string) => TEXT_LIKE.test(contentType);
