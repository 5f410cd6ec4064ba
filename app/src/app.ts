import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import type { DestinationStream } from "pino";
import type { Settings } from "./configuration/settings.ts";
import { handleError } from "./error-handler.ts";
import { AccessLogController } from "./logging/access-log.ts";
import databasePlugin from "./plugins/database.ts";
import drainConnectionsPlugin from "./plugins/drain-connections.ts";
import formBodyPlugin from "./plugins/form-body.ts";
import healthCheckRoutes from "./routes/health-check.ts";
import subscriptionRoutes from "./routes/subscriptions.ts";

export interface BuildAppOptions {
  // Destination of the JSON log lines, stdout by default. Tests pass a stream to read them.
  logStream?: DestinationStream;
}

// Builds the service without listening. server.ts listens, and tests call inject.
export function buildApp(settings: Settings, options: BuildAppOptions = {}): FastifyInstance {
  const app = Fastify({
    logger: {
      level: settings.application.log_level,
      ...(options.logStream && { stream: options.logStream }),
    },
    logController: new AccessLogController(settings.application.health_check_path),
    bodyLimit: settings.application.body_limit_bytes,
    // Every request gets a fresh id. A client's X-Request-Id is never trusted,
    // because any client could forge one to muddle the logs.
    genReqId: () => randomUUID(),
    requestIdHeader: false,
  });

  // Only form bodies are accepted, so JSON and text get 415 like any other type.
  app.removeAllContentTypeParsers();
  app.register(formBodyPlugin);
  app.register(databasePlugin, { database: settings.database });
  app.register(drainConnectionsPlugin);

  app.setErrorHandler(handleError);
  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });

  app.register(healthCheckRoutes, { path: settings.application.health_check_path });
  app.register(subscriptionRoutes);

  return app;
}
