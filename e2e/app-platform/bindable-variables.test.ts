import { describe, expect, test } from "vitest";
import type { DatabaseSpec, EnvVar } from "./app-spec.ts";
import { bindEnvironment, type ClusterBinding, clusterVariables, type DatabaseBinding, databaseVariables } from "./bindable-variables.ts";

const binding: DatabaseBinding = {
  hostname: "cluster-e2e",
  port: 25060,
  username: "app user",
  password: "p@ss/word",
  database: "newsletter",
  caCertificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
};

function env(key: string, value: string, scope: EnvVar["scope"] = "RUN_TIME"): EnvVar {
  return { key, value, scope, type: "GENERAL" };
}

describe("databaseVariables", () => {
  test("prefixes names with the component", () => {
    const variables = databaseVariables("primary", binding);

    expect(variables.get("primary.HOSTNAME")).toBe("cluster-e2e");
    expect(variables.get("primary.PORT")).toBe("25060");
    expect(variables.get("primary.CA_CERT")).toBe(binding.caCertificate);
    expect(variables.has("db.HOSTNAME")).toBe(false);
  });

  test("encodes credentials in DATABASE_URL", () => {
    const url = new URL(databaseVariables("db", binding).get("db.DATABASE_URL") ?? "");

    expect(decodeURIComponent(url.username)).toBe(binding.username);
    expect(decodeURIComponent(url.password)).toBe(binding.password);
    expect(url.host).toBe("cluster-e2e:25060");
    expect(url.pathname).toBe("/newsletter");
    expect(url.searchParams.get("sslmode")).toBe("require");
  });
});

describe("clusterVariables", () => {
  const cluster: ClusterBinding = {
    hostname: "cluster-e2e",
    port: 25060,
    caCertificate: binding.caCertificate,
    admin: { username: "doadmin", password: "admin-password" },
    userPasswords: new Map([["newsletter", "user-password"]]),
  };
  const appDatabase: DatabaseSpec = { name: "db", engine: "PG", production: true, clusterName: "cluster", dbName: "newsletter", dbUser: "newsletter" };
  const adminDatabase: DatabaseSpec = { name: "db-admin", engine: "PG", production: true, clusterName: "cluster", dbName: "newsletter" };

  test("binds dbUser's login to its component", () => {
    const variables = clusterVariables([appDatabase, adminDatabase], cluster);

    expect(variables.get("db.USERNAME")).toBe("newsletter");
    expect(variables.get("db.PASSWORD")).toBe("user-password");
  });

  test("binds the admin without dbUser", () => {
    const variables = clusterVariables([appDatabase, adminDatabase], cluster);

    expect(variables.get("db-admin.USERNAME")).toBe("doadmin");
    expect(variables.get("db-admin.PASSWORD")).toBe("admin-password");
  });

  test("binds each component's database and the shared server", () => {
    const variables = clusterVariables([appDatabase, { ...adminDatabase, dbName: "defaultdb" }], cluster);

    expect(variables.get("db.DATABASE")).toBe("newsletter");
    expect(variables.get("db-admin.DATABASE")).toBe("defaultdb");
    expect(variables.get("db-admin.HOSTNAME")).toBe("cluster-e2e");
    expect(variables.get("db-admin.PORT")).toBe("25060");
    expect(variables.get("db-admin.CA_CERT")).toBe(binding.caCertificate);
  });

  test("rejects a dbUser without a login", () => {
    const bind = () => clusterVariables([{ ...appDatabase, dbUser: "reporting" }], cluster);

    expect(bind).toThrow(/db names user reporting, for which the check created no login/);
  });
});

describe("bindEnvironment", () => {
  const variables = databaseVariables("db", binding);

  test("replaces every reference in a value", () => {
    const bound = bindEnvironment("api", [env("ADDRESS", "${db.HOSTNAME}:${db.PORT}"), env("PLAIN", "production")], variables);

    expect(bound).toEqual(["ADDRESS=cluster-e2e:25060", "PLAIN=production"]);
  });

  test("keeps multi-line values whole", () => {
    const bound = bindEnvironment("api", [env("CA", "${db.CA_CERT}")], variables);

    expect(bound).toEqual([`CA=${binding.caCertificate}`]);
  });

  test("leaves out build-time variables", () => {
    const bound = bindEnvironment("api", [env("BUILD_ONLY", "x", "BUILD_TIME"), env("BOTH", "y", "RUN_AND_BUILD_TIME")], variables);

    expect(bound).toEqual(["BOTH=y"]);
  });

  test("rejects an unknown variable name", () => {
    const bind = () => bindEnvironment("migrate", [env("APP_DATABASE__HOST", "${db.HOST}")], variables);

    expect(bind).toThrow(/migrate: APP_DATABASE__HOST refers to \$\{db\.HOST\}/);
  });

  // App Platform documents no trimming of the name, so the check does not trim either.
  test("rejects a name with spaces", () => {
    const bind = () => bindEnvironment("api", [env("APP_DATABASE__PORT", "${ db.PORT }")], variables);

    expect(bind).toThrow(/\$\{ db\.PORT \}/);
  });

  test("rejects another component's prefix", () => {
    const bind = () => bindEnvironment("api", [env("APP_DATABASE__PORT", "${database.PORT}")], variables);

    expect(bind).toThrow(/\$\{database\.PORT\}/);
  });

  test("lists every unknown reference", () => {
    const bind = () => bindEnvironment("api", [env("A", "${db.HOST}"), env("B", "${APP_URL}")], variables);

    expect(bind).toThrow(/A refers to \$\{db\.HOST\}; B refers to \$\{APP_URL\}/);
  });
});
