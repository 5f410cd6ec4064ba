import { randomBytes } from "node:crypto";
import { chmod, copyFile, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type DockerEngine, runDocker } from "../docker-engine.ts";
import type { Credentials } from "./bindable-variables.ts";
import type { CleanupSteps } from "./cleanup-steps.ts";
import { type CertificateAuthority, issueServerCertificate } from "./test-certificates.ts";

export interface TlsPostgresOptions {
  engine: DockerEngine;
  cleanup: CleanupSteps;
  // The image, such as postgres:17, with the official image's entrypoint contract.
  image: string;
  // The container's name and its host name on `network`, which the server certificate names.
  hostname: string;
  network: string;
  port: number;
  // A folder for the server's files, which the container's postgres user must be able to read.
  folder: string;
  // Signs the server certificate.
  authority: CertificateAuthority;
}

export interface PsqlLogin {
  user: string;
  password: string;
  database: string;
}

// The check's own role, for setup and for inspecting the server over the local socket.
const superuser = "postgres";
// DigitalOcean's name for a managed cluster's admin user.
const adminUser = "doadmin";
const tlsMountPath = "/tls";
const startTimeoutMs = 30_000;

// Runs once, as the postgres user, when the entrypoint initialises the cluster. PostgreSQL
// loads a key file only if no one but its owner may read it, which a bind-mounted file cannot
// promise, so the certificate and key are copied into the data folder. Over TCP only TLS
// connections are accepted (hostssl); the local socket serves the check's admin queries.
const initScript = `#!/usr/bin/env bash
set -euo pipefail
install -m 0600 ${tlsMountPath}/server.crt ${tlsMountPath}/server.key "$PGDATA/"
printf '%s\\n' 'local all all trust' 'hostssl all all all scram-sha-256' >"$PGDATA/pg_hba.conf"
`;

// A PostgreSQL container that accepts TCP connections over TLS only, with a server
// certificate for its host name signed by a CA the test made. It plays the managed cluster:
// `admin` is doadmin, a login role that may create databases and roles but is not a superuser,
// because DigitalOcean's admin is not one either (its docs say users cannot be given some
// superuser permissions). doadmin's exact attributes on DigitalOcean are not verified here.
export class TlsPostgres {
  readonly hostname: string;
  readonly port: number;
  readonly id: string;
  readonly admin: Credentials;
  private readonly folder: string;

  private constructor(options: TlsPostgresOptions, id: string, admin: Credentials) {
    this.hostname = options.hostname;
    this.port = options.port;
    this.folder = options.folder;
    this.id = id;
    this.admin = admin;
  }

  static async start(options: TlsPostgresOptions): Promise<TlsPostgres> {
    const { engine, cleanup, hostname, network, folder } = options;
    const tlsFolder = path.join(folder, "tls");
    const initFolder = path.join(folder, "initdb");
    await mkdir(tlsFolder, { recursive: true });
    await mkdir(initFolder, { recursive: true });
    await issueServerCertificate(options.authority, tlsFolder, "server", hostname);
    await copyFile(options.authority.certificatePath, path.join(tlsFolder, "ca.crt"));
    await writeFile(path.join(initFolder, "10-tls.sh"), initScript, { mode: 0o755 });
    // The postgres user (uid 999) reads these through the bind mounts. The key is a throwaway
    // made for this run, and the init script copies it to a file only that user may read.
    for (const file of ["server.crt", "server.key", "ca.crt"]) {
      await chmod(path.join(tlsFolder, file), 0o644);
    }
    for (const mounted of [folder, tlsFolder, initFolder]) {
      await chmod(mounted, 0o755);
    }

    cleanup.add(`container ${hostname}`, () => engine.remove(`/containers/${hostname}?force=1&v=1`));
    const { Id: id } = await engine.call<{ Id: string }>("POST", `/containers/create?name=${encodeURIComponent(hostname)}`, {
      Image: options.image,
      Cmd: ["postgres", "-c", "ssl=on", "-c", "ssl_cert_file=server.crt", "-c", "ssl_key_file=server.key", "-c", "log_connections=on"],
      // The server, and psql in `docker exec`, take the port from PGPORT.
      Env: [`POSTGRES_USER=${superuser}`, `POSTGRES_PASSWORD=${randomBytes(18).toString("hex")}`, `PGPORT=${options.port}`],
      HostConfig: {
        NetworkMode: network,
        Mounts: [
          { Type: "bind", Source: tlsFolder, Target: tlsMountPath, ReadOnly: true },
          { Type: "bind", Source: initFolder, Target: "/docker-entrypoint-initdb.d", ReadOnly: true },
        ],
      },
      NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [hostname] } } },
    });
    await engine.call("POST", `/containers/${id}/start`);

    const server = new TlsPostgres(options, id, { username: adminUser, password: randomBytes(18).toString("hex") });
    await server.waitUntilReady(engine);
    await server.createRole(server.admin, "CREATEDB CREATEROLE");
    return server;
  }

  // Creates a login role with a password, as DigitalOcean's DatabaseUser does. It gets no
  // rights beyond those PostgreSQL gives every role.
  createUser(user: Credentials): Promise<void> {
    return this.createRole(user, "");
  }

  // Creates a database that the admin owns, as DigitalOcean's DatabaseDb does.
  async createDatabase(name: string): Promise<void> {
    await this.psql(["--username", superuser, "--dbname", "postgres"], `CREATE DATABASE :"name" OWNER :"owner";`, { name, owner: adminUser });
  }

  // Runs SQL as the superuser over the container's local socket and returns psql's unaligned
  // output. Each entry of `variables` becomes a psql variable, quoted in the SQL as :'name'.
  queryAsSuperuser(database: string, sql: string, variables: Record<string, string> = {}): Promise<string> {
    return this.psql(["--username", superuser, "--dbname", database], sql, variables);
  }

  // Runs SQL as `login` over TCP to the server's host name, with the server certificate checked
  // against the test CA and the host name (sslmode verify-full unless `sslmode` sets another mode).
  async queryOverTcp(login: PsqlLogin, sql: string, variables: Record<string, string> = {}, sslmode = "verify-full"): Promise<string> {
    // The password reaches psql through an environment file, never a command line.
    const environmentFile = path.join(this.folder, `psql-${login.user}.env`);
    await writeFile(environmentFile, `PGPASSWORD=${login.password}\n`, { mode: 0o600 });
    const connection = [
      `host=${this.hostname}`,
      `port=${this.port}`,
      `dbname=${login.database}`,
      `user=${login.user}`,
      `sslmode=${sslmode}`,
      `sslrootcert=${tlsMountPath}/ca.crt`,
    ].join(" ");
    return this.psql([connection], sql, variables, environmentFile);
  }

  private async createRole(login: Credentials, attributes: string): Promise<void> {
    if (!/^[A-Za-z0-9]+$/.test(login.password)) {
      throw new Error(`The password of ${login.username} must contain letters and digits only, because it is written into psql's input unquoted`);
    }
    const sql = [`\\set password '${login.password}'`, `CREATE ROLE :"role" LOGIN ${attributes} PASSWORD :'password';`].join("\n");
    await this.psql(["--username", superuser, "--dbname", "postgres"], sql, { role: login.username });
  }

  private async psql(connection: string[], sql: string, variables: Record<string, string>, environmentFile?: string): Promise<string> {
    const environment = environmentFile === undefined ? [] : ["--env-file", environmentFile];
    const variableArgs = Object.entries(variables).flatMap(([name, value]) => ["--set", `${name}=${value}`]);
    const output = await runDocker(
      ["exec", "-i", ...environment, this.id, "psql", "--no-psqlrc", "--tuples-only", "--no-align", "--set", "ON_ERROR_STOP=1", ...connection, ...variableArgs],
      { input: sql },
    );
    return output.trim();
  }

  // Waits until the final server accepts TCP connections. The entrypoint's setup server
  // listens on a private socket only, so it never passes this check.
  private async waitUntilReady(engine: DockerEngine): Promise<void> {
    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      const { State } = await engine.call<{ State: { Running: boolean; ExitCode: number } }>("GET", `/containers/${this.id}/json`);
      if (!State.Running) {
        throw new Error(`PostgreSQL container ${this.hostname} stopped with exit code ${State.ExitCode}. Its last output:\n${await this.logs()}`);
      }
      const ready = await runDocker(["exec", this.id, "pg_isready", "--quiet", "--host", this.hostname, "--port", String(this.port)]).then(
        () => true,
        () => false,
      );
      if (ready) {
        return;
      }
      if (Date.now() > deadline) {
        throw new Error(`PostgreSQL container ${this.hostname} timed out after ${startTimeoutMs / 1000} s without accepting connections. Its last output:\n${await this.logs()}`);
      }
      await sleep(250);
    }
  }

  logs(): Promise<string> {
    return runDocker(["logs", "--tail", "40", this.id], { includeStderr: true }).catch((error: unknown) => `(no logs: ${(error as Error).message})`);
  }
}
