import closeWithGrace from "close-with-grace";
import { buildApp } from "./app.ts";
import { loadSettingsOrExit } from "./load-settings-or-exit.ts";

const settings = loadSettingsOrExit();
const app = buildApp(settings);

// On SIGTERM (or SIGINT) Fastify stops accepting connections, finishes the
// requests in flight and runs its onClose hooks, which end the database pool.
// If that takes longer than the grace period, close-with-grace exits with 1.
closeWithGrace({ delay: settings.application.shutdown_grace_period_ms, logger: app.log }, async ({ signal, err }) => {
  if (err !== undefined) {
    app.log.error({ err }, "Shutting down after an uncaught error");
  } else {
    app.log.info({ signal }, "Shutting down: finishing requests in flight");
  }
  await app.close();
  app.log.info("Server stopped");
});

const { host, port } = settings.application;
try {
  await app.listen({ host, port });
} catch (err) {
  app.log.error({ err }, `Failed to listen on ${host}:${port}`);
  process.exit(1);
}
