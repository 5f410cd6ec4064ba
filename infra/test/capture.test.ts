import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { captureStack } from "../testing/capture.ts";

describe("captureStack", () => {
  it("rejects a concurrent capture", async () => {
    const first = captureStack("local");
    const second = captureStack("local");

    await expect(second).rejects.toThrow(/another capture is running/);
    await expect(first).resolves.toHaveProperty("outputs.url");
  });

  it("runs captures one after another", async () => {
    const local = await captureStack("local");
    const production = await captureStack("production");

    expect(local.resources.some((resource) => resource.type.startsWith("digitalocean:"))).toBe(false);
    expect(production.resources.some((resource) => resource.type.startsWith("docker:"))).toBe(false);
  });

  it("records parents without the stack", async () => {
    const captured = await captureStack("local");
    const deployment = captured.resources.find((resource) => resource.type === "zero2prod:index:LocalDeployment");
    const build = captured.resources.find((resource) => resource.type === "docker-build:index:Image");

    expect(captured.resources.map((resource) => resource.type)).not.toContain("pulumi:pulumi:Stack");
    expect(deployment?.parent).toBeUndefined();
    expect(build?.parent).toBe("zero2prod-local-image");
  });

  it("reports a missing stack file", async () => {
    await expect(captureStack("staging")).rejects.toThrow(/Failed to read .*Pulumi\.staging\.yaml: the file does not exist/);
  });

  it("names a stack file that is not valid YAML", async () => {
    const configFile = path.join(mkdtempSync(path.join(tmpdir(), "capture-")), "Pulumi.broken.yaml");
    writeFileSync(configFile, "config:\n  zero2prod:platform: [docker\n");

    await expect(captureStack("broken", { configFile })).rejects.toThrow(/Pulumi\.broken\.yaml is not valid YAML: /);
  });
});
