// The floors of the two hop shapes: a Worker that forwards each request over a service binding to hop-callee.mjs,
// which reads D1 as the direct-D1 ceiling does. No router, no middleware, nothing but the hop: what is left is one
// service-binding call in the shape the path names, on top of the direct read.
//   /request/…  a Request in, a Response out (the shape of `handle`)
//   /values/…   plain values both ways (the shape of `serve`): the headers as a list, the answer rebuilt here
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname.startsWith('/request/')) return env.CALLEE.handle(request);
    if (url.pathname.startsWith('/values/')) {
      const answer = await env.CALLEE.serve({
        method: request.method,
        path: url.pathname.slice('/values'.length) + url.search,
        headers: [...request.headers],
        body: null,
      });
      return new Response(answer.body, { status: answer.status, headers: answer.headers });
    }
    return new Response('Not Found', { status: 404 });
  },
};
