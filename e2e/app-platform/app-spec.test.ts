import { describe, expect, test } from "vitest";
import { parseAppSpec, splitRunCommand } from "./app-spec.ts";

const image = { registryType: "DOCR", repository: "zero2prod", digest: `sha256:${"a".repeat(64)}` };
const spec = {
  name: "app",
  region: "fra",
  services: [{ name: "api", image, httpPort: 8000, healthCheck: { httpPath: "/health_check" }, envs: [{ key: "A", value: "1" }] }],
  jobs: [{ name: "migrate", kind: "PRE_DEPLOY", image, runCommand: "node dist/migrate.js" }],
  databases: [{ name: "db", engine: "PG", production: true, clusterName: "cluster", dbName: "newsletter", dbUser: "newsletter" }],
};

describe("parseAppSpec", () => {
  test("applies App Platform's env defaults", () => {
    const parsed = parseAppSpec("app", spec);

    expect(parsed.services[0]?.envs).toEqual([{ key: "A", value: "1", scope: "RUN_AND_BUILD_TIME", type: "GENERAL" }]);
    expect(parsed.jobs[0]?.envs).toEqual([]);
  });

  test("rejects a component field it does not carry out", () => {
    const withRoutes = { ...spec, services: [{ ...spec.services[0], routes: [{ path: "/" }] }] };

    expect(() => parseAppSpec("app", withRoutes)).toThrow(/routes/);
  });

  test("rejects a post-deploy job", () => {
    const postDeploy = { ...spec, jobs: [{ ...spec.jobs[0], kind: "POST_DEPLOY" }] };

    expect(() => parseAppSpec("app", postDeploy)).toThrow(/PRE_DEPLOY/);
  });

  test("rejects an image by tag", () => {
    const byTag = { ...spec, services: [{ ...spec.services[0], image: { registryType: "DOCR", repository: "zero2prod", tag: "latest" } }] };

    expect(() => parseAppSpec("app", byTag)).toThrow(/tag|digest/);
  });
});

describe("parseAppSpec databases", () => {
  const appDatabase = spec.databases[0];
  const adminDatabase = { name: "db-admin", engine: "PG", production: true, clusterName: "cluster", dbName: "newsletter" };

  test("accepts a second component without dbUser", () => {
    const parsed = parseAppSpec("app", { ...spec, databases: [appDatabase, adminDatabase] });

    expect(parsed.databases.map((database) => database.dbUser)).toEqual(["newsletter", undefined]);
  });

  test("rejects components on two clusters", () => {
    const twoClusters = { ...spec, databases: [appDatabase, { ...adminDatabase, clusterName: "other-cluster" }] };

    expect(() => parseAppSpec("app", twoClusters)).toThrow(/one cluster only/);
  });

  test("rejects two components of one name", () => {
    const sameName = { ...spec, databases: [appDatabase, { ...adminDatabase, name: "db" }] };

    expect(() => parseAppSpec("app", sameName)).toThrow(/its own name/);
  });

  test("rejects a spec without a database", () => {
    expect(() => parseAppSpec("app", { ...spec, databases: [] })).toThrow(/must attach a database/);
  });
});

describe("splitRunCommand", () => {
  test("splits plain words", () => {
    expect(splitRunCommand("migrate", "  node   dist/migrate.js --verbose ")).toEqual(["node", "dist/migrate.js", "--verbose"]);
  });

  test.each(["node 'dist/migrate.js'", "node $SCRIPT", "node a.js && node b.js", "node a.js; node b.js"])("rejects shell syntax in %s", (command) => {
    expect(() => splitRunCommand("migrate", command)).toThrow(/plain words/);
  });
});
