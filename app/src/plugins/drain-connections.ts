import type { FastifyInstance } from "fastify";
import fastifyPlugin from "fastify-plugin";

// Sends "Connection: close" on responses that finish after close() began.
// Fastify 5 closes idle keep-alive connections when it starts closing, and
// marks requests that arrive later, but a request already in flight keeps its
// connection open after its response. The server would then wait for the
// client's keep-alive timeout, longer than the shutdown grace period.
async function drainConnectionsPlugin(app: FastifyInstance): Promise<void> {
  let closing = false;

  app.addHook("preClose", async () => {
    closing = true;
  });

  app.addHook("onSend", async (_request, reply) => {
    if (closing) {
      reply.header("connection", "close");
    }
  });
}

export default fastifyPlugin(drainConnectionsPlugin, { name: "drain-connections" });
