import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const script = path.join(root, "scripts/local-stack.sh");

// A stand-in `pulumi` that records each call's arguments and the variables the script sets.
function fakePulumi(): { bin: string; calls: () => string[] } {
  const bin = mkdtempSync(path.join(tmpdir(), "fake-pulumi-"));
  const log = path.join(bin, "calls.log");
  writeFileSync(
    path.join(bin, "pulumi"),
    `#!/bin/sh\necho "$* | backend=$PULUMI_BACKEND_URL | passphrase=[\${PULUMI_CONFIG_PASSPHRASE-unset}]" >> "${log}"\n`,
  );
  chmodSync(path.join(bin, "pulumi"), 0o755);
  return { bin, calls: () => readFileSync(log, "utf8").trim().split("\n") };
}

function run(args: string[], pathValue: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: pathValue };
  delete env.PULUMI_CONFIG_PASSPHRASE;
  return spawnSync("bash", [script, ...args], { env, encoding: "utf8" });
}

describe("scripts/local-stack.sh", () => {
  it("creates the local stack and runs up on state inside the repository", () => {
    const pulumi = fakePulumi();

    const result = run(["up"], `${pulumi.bin}:/usr/bin:/bin`);

    expect(result.status).toBe(0);
    const calls = pulumi.calls();
    expect(calls[0]).toMatch(/^stack select --create local --non-interactive /);
    expect(calls[1]).toMatch(/^up --stack local --yes --non-interactive /);
    expect(calls[2]).toMatch(/^stack output url --stack local /);
    expect(calls[1]).toContain(`backend=file://${root}/.pulumi`);
  });

  it("sets an empty passphrase so no prompt appears", () => {
    const pulumi = fakePulumi();

    run(["preview"], `${pulumi.bin}:/usr/bin:/bin`);

    expect(pulumi.calls()[1]).toMatch(/^preview --stack local --diff .*passphrase=\[\]$/);
  });

  it("reads outputs without creating the stack", () => {
    const pulumi = fakePulumi();

    run(["output"], `${pulumi.bin}:/usr/bin:/bin`);

    expect(pulumi.calls()[0]).toMatch(/^stack select local --non-interactive /);
  });

  it("destroys the local stack without creating it", () => {
    const pulumi = fakePulumi();

    run(["destroy"], `${pulumi.bin}:/usr/bin:/bin`);

    const calls = pulumi.calls();
    expect(calls[0]).toMatch(/^stack select local --non-interactive /);
    expect(calls[1]).toMatch(/^destroy --stack local --yes --non-interactive /);
  });

  it("rejects an unknown action before looking for Pulumi", () => {
    const result = run(["deploy"], "/usr/bin:/bin");

    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Unknown action "deploy"');
  });

  it("explains how to install a missing Pulumi CLI", () => {
    const result = run(["up"], "/usr/bin:/bin");

    expect(result.status).toBe(1);
    expect(result.stderr).toContain("The Pulumi CLI is not installed");
  });
});
