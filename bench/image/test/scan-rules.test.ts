import { describe, expect, it } from "vitest";
import { findPathProblems, normalizeEntryPath, type PackageSets } from "../scan-rules.ts";

const packages: PackageSets = {
  devTools: new Set(["esbuild", "@esbuild/linux-x64", "vitest"]),
  infra: new Set(["@pulumi/pulumi"]),
};

describe("findPathProblems", () => {
  it.each([
    ["app/.env", "env file"],
    ["app/configuration/.env.production", "env file"],
    ["root/.npmrc", ".npmrc"],
    ["run/secrets/npm_ca", "/run/secrets"],
  ])("reports %s in a base layer", (entryPath, expected) => {
    const problems = findPathProblems(entryPath, "base", packages);

    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  it.each([
    ["app/node_modules/esbuild/bin/esbuild", "dev tool esbuild"],
    ["app/node_modules/@esbuild/linux-x64/bin/esbuild", "dev tool @esbuild/linux-x64"],
    ["app/node_modules/fastify/node_modules/vitest/index.js", "dev tool vitest"],
    ["app/node_modules/@pulumi/pulumi/index.js", "infra package @pulumi/pulumi"],
    ["app/test/server.test.ts", "test file"],
    ["app/src/domain/name.spec.js", "test file"],
    ["app/vitest.config.ts", "test file"],
    ["app/infra/index.ts", "infra or tooling file"],
    ["app/Pulumi.production.yaml", "infra or tooling file"],
    ["app/.github/workflows/ci.yml", "infra or tooling file"],
  ])("reports %s in a project layer", (entryPath, expected) => {
    const problems = findPathProblems(entryPath, "project", packages);

    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  it.each([
    "app/dist/server.js",
    "app/migrations/0001_create_subscriptions.sql",
    "app/configuration/production.yaml",
    "app/node_modules/pg/lib/index.js",
    // Folders inside a package are the package's, judged by the package rules only.
    "app/node_modules/pg/test/unit.js",
    "app/node_modules/pg/scripts/build.js",
  ])("accepts %s in a project layer", (entryPath) => {
    expect(findPathProblems(entryPath, "project", packages)).toEqual([]);
  });

  it.each([
    "usr/local/lib/node_modules/npm/node_modules/archy/test/beep.js",
    "usr/local/lib/node_modules/esbuild/bin/esbuild",
    "usr/share/doc/infra/readme",
  ])("leaves project rules out of base layers for %s", (entryPath) => {
    expect(findPathProblems(entryPath, "base", packages)).toEqual([]);
  });
});

describe("normalizeEntryPath", () => {
  it("removes a leading ./ and slash", () => {
    expect(normalizeEntryPath("./app/dist/")).toBe("app/dist/");
    expect(normalizeEntryPath("/etc/passwd")).toBe("etc/passwd");
  });
});
