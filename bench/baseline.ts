// The floor the service is measured against: node:http and a pg Pool doing the
// service's insert with no framework, no validation and no logging. It reads the
// same APP_ variables as the service, without the settings loader.
// Usage: APP_APPLICATION__PORT=8001 APP_DATABASE__...=... node bench/baseline.ts
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import pg from "pg";

const env = process.env;

const pool = new pg.Pool({
  host: env.APP_DATABASE__HOST ?? "127.0.0.1",
  port: Number(env.APP_DATABASE__PORT ?? 5432),
  user: env.APP_DATABASE__USERNAME,
  password: env.APP_DATABASE__PASSWORD,
  database: env.APP_DATABASE__DATABASE_NAME,
  // The service's default pool size (configuration/base.yaml).
  max: Number(env.APP_DATABASE__POOL_MAX ?? 10),
});

// The same statement as the service's POST /subscriptions.
const insertSubscriber = `INSERT INTO subscriptions (id, email, name, subscribed_at)
     VALUES ($1, $2, $3, now())
     ON CONFLICT (email) DO NOTHING`;

const server = createServer((request, response) => {
  if (request.method === "GET" && request.url === "/health_check") {
    response.writeHead(200).end();
  } else if (request.method === "POST" && request.url === "/subscriptions") {
    subscribe(request, response);
  } else {
    response.writeHead(404).end();
  }
});

function subscribe(request: IncomingMessage, response: ServerResponse): void {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
    pool.query(insertSubscriber, [randomUUID(), form.get("email"), form.get("name")]).then(
      () => response.writeHead(200).end(),
      () => response.writeHead(500).end(),
    );
  });
}

server.listen(Number(env.APP_APPLICATION__PORT ?? 8001), env.APP_APPLICATION__HOST ?? "127.0.0.1");

process.on("SIGTERM", () => {
  server.close(() => {
    pool.end().then(() => process.exit(0));
  });
  server.closeIdleConnections();
});
