// Ceiling 1: what workerd itself serves when a Worker does nothing: no router, no bindings, no I/O. Every scenario
// is divided by this figure, so a slower or busier host moves the ratios far less than the req/s.
export default {
  fetch() {
    return new Response('Hello World!', { headers: { 'content-type': 'text/plain;charset=UTF-8' } });
  },
};
