// Test fixture: consumes queues and keeps every message, so tests can assert what a Worker sent. `GET /?queue=`
// lists the recorded bodies oldest first.
const schema = 'CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY, queue TEXT NOT NULL, body TEXT NOT NULL)';

export default {
  async queue(batch, env) {
    await env.RECORDED.prepare(schema).run();
    await env.RECORDED.batch(
      batch.messages.map((m) =>
        env.RECORDED.prepare('INSERT INTO messages (queue, body) VALUES (?, ?)').bind(
          batch.queue,
          JSON.stringify(m.body),
        ),
      ),
    );
    batch.ackAll();
  },
  async fetch(request, env) {
    await env.RECORDED.prepare(schema).run();
    const queue = new URL(request.url).searchParams.get('queue');
    const { results } = await env.RECORDED.prepare('SELECT body FROM messages WHERE queue = ? ORDER BY seq')
      .bind(queue)
      .all();
    return Response.json(results.map((r) => JSON.parse(r.body)));
  },
};
