import type { FastifyInstance } from "fastify";
import fastifyPlugin from "fastify-plugin";
import { Pool } from "pg";
import type { DatabaseSettings } from "../configuration/settings.ts";
import { createConnectionConfig } from "../database/connection-config.ts";

declare module "fastify" {
  interface FastifyInstance {
    db: Pool;
  }
}

export interface DatabasePluginOptions {
  database: DatabaseSettings;
}

// Decorates the instance with a pg Pool. The pool connects lazily, so the
// service starts and serves its health check while the database is down.
async function databasePlugin(app: FastifyInstance, options: DatabasePluginOptions): Promise<void> {
  const pool = new Pool({
    ...createConnectionConfig(options.database),
    max: options.database.pool_max,
  });

  // An idle client whose connection drops (the server restarted, say) emits
  // here, and without a listener the process would crash. The pool discards
  // the client and opens a new one on the next checkout.
  pool.on("error", (err) => {
    app.log.error({ err }, "Idle database connection failed and was removed from the pool");
  });

  app.decorate("db", pool);
  app.addHook("onClose", async () => {
    await pool.end();
  });
}

export default fastifyPlugin(databasePlugin, { name: "database" });
