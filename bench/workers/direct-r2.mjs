// Ceiling of the file routes: a Worker that streams a request body into R2 and an object back out, on the same local
// R2 bucket as the files Worker, with no router, no hashing, no checks and no service-binding hop. `PUT /objects/<key>`
// stores the body (its Content-Length makes it a known-length stream, which R2 requires); `GET /objects/<key>` answers
// it; `DELETE /objects/<key>` removes it.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (!url.pathname.startsWith('/objects/')) return new Response('not found', { status: 404 });
    const key = `bench-ceiling/${url.pathname.slice('/objects/'.length)}`;
    if (request.method === 'PUT') {
      const object = await env.BUCKET.put(key, request.body);
      return Response.json({ key, size: object.size }, { status: 201 });
    }
    if (request.method === 'DELETE') {
      await env.BUCKET.delete(key);
      return new Response(null, { status: 204 });
    }
    const object = await env.BUCKET.get(key);
    if (object === null) return new Response('not found', { status: 404 });
    return new Response(object.body, {
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(object.size) },
    });
  },
};
