import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { repositoryRoot } from "../paths.ts";
import { captureStack } from "../testing/capture.ts";

const projectDefaults = (parse(readFileSync(path.join(repositoryRoot, "Pulumi.yaml"), "utf8")) as {
  config: Record<string, { default?: unknown }>;
}).config;

const directory = mkdtempSync(path.join(tmpdir(), "zero2prod-stack-config-"));

const production = {
  "zero2prod:platform": "digitalocean",
  "zero2prod:region": "fra1",
  "zero2prod:registryName": "zero2prod",
};

// Captures the stack `pr-7` from a stack file with these keys, returning the error it fails with.
async function captureError(config: Record<string, unknown>): Promise<Error> {
  const configFile = path.join(directory, `${Object.keys(config).join("-").replaceAll(":", "_")}.yaml`);
  writeFileSync(configFile, stringify({ config }));
  try {
    await captureStack("pr-7", { configFile });
  } catch (error) {
    return error as Error;
  }
  throw new Error("The capture succeeded, but the stack configuration is invalid");
}

describe("stack configuration", () => {
  it("accepts a minimal review stack", async () => {
    const configFile = path.join(directory, "minimal.yaml");
    writeFileSync(configFile, stringify({ config: production }));

    const captured = await captureStack("pr-7", { configFile });
    const cluster = captured.resources.find((resource) => resource.type === "digitalocean:index/databaseCluster:DatabaseCluster");

    expect(captured.outputs.clusterName).toBe("zero2prod-pr-7-db");
    expect(cluster?.inputs.size).toBe(projectDefaults.databaseSize?.default);
    expect(captured.resources.filter((resource) => resource.protect)).toEqual([]);
  });

  it("fails as one RunError", async () => {
    const error = await captureError({ ...production, "zero2prod:databaseSize": "large" });

    expect(pulumi.RunError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/^Invalid stack configuration in Pulumi\.pr-7\.yaml:/);
    expect(error.message).toContain("pulumi config set --stack pr-7");
  });

  it("rejects an unknown key", async () => {
    const error = await captureError({ ...production, "zero2prod:regionn": "fra1" });

    expect(error.message).toContain("zero2prod:regionn: not a known key");
  });

  it("rejects a wrong type", async () => {
    const error = await captureError({ ...production, "zero2prod:appInstanceCount": "two" });

    expect(error.message).toContain('zero2prod:appInstanceCount: must be a whole number, got "two"');
  });

  it("rejects a bad database size", async () => {
    const error = await captureError({ ...production, "zero2prod:databaseSize": "large" });

    expect(error.message).toContain('zero2prod:databaseSize: must be a database size slug such as db-s-1vcpu-1gb, got "large"');
  });

  it("rejects a bad instance size", async () => {
    const error = await captureError({ ...production, "zero2prod:appInstanceSize": "huge" });

    expect(error.message).toContain("zero2prod:appInstanceSize: must be an App Platform instance size slug");
  });

  it("rejects an unknown platform", async () => {
    const error = await captureError({ "zero2prod:platform": "kubernetes" });

    expect(error.message).toContain('zero2prod:platform: must be docker (the local Docker engine) or digitalocean, got "kubernetes"');
  });

  it("requires a platform", async () => {
    const error = await captureError({});

    expect(error.message).toContain("zero2prod:platform: must be docker (the local Docker engine) or digitalocean, missing");
  });

  it("requires DigitalOcean's region and registry", async () => {
    const error = await captureError({ "zero2prod:platform": "digitalocean" });

    expect(error.message).toContain('zero2prod:region: must be set to a DigitalOcean region slug such as fra1, got ""');
    expect(error.message).toContain('zero2prod:registryName: must be set to the account\'s container registry name, got ""');
    expect(error.message.match(/zero2prod:region:/g)).toHaveLength(1);
  });

  it("names every bad key at once", async () => {
    const error = await captureError({ ...production, "zero2prod:databaseNodeCount": "7", "zero2prod:protect": "yes" });

    expect(error.message).toContain('zero2prod:databaseNodeCount: must be at most 3, got "7"');
    expect(error.message).toContain('zero2prod:protect: must be true or false, got "yes"');
  });

  it("hides secret values", async () => {
    const error = await captureError({ ...production, "zero2prod:domain": { secure: "v1:c2VjcmV0" } });

    expect(error.message).toContain("zero2prod:domain: must be a lowercase domain name such as api.example.com, got [secret]");
    expect(error.message).not.toContain("fake-secret");
  });

  it("rejects a missing CA bundle", async () => {
    const error = await captureError({ ...production, "zero2prod:npmCaFile": "certs/missing.pem" });

    expect(error.message).toContain("zero2prod:npmCaFile: must name an existing file, relative to the repository root");
  });
});
