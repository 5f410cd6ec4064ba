import type { FastifyInstance } from "fastify";

export interface HealthCheckOptions {
  path: string;
}

// Liveness only: returns 200 with an empty body without touching the
// database, so an outage there does not get healthy instances restarted.
export default async function healthCheckRoutes(app: FastifyInstance, options: HealthCheckOptions): Promise<void> {
  app.get(options.path, async (_request, reply) => {
    return reply.code(200).send();
  });
}
