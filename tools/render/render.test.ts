import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const repositoryRoot = path.resolve(import.meta.dirname, "../..");
const renderCli = path.join(import.meta.dirname, "render.ts");

// Each render and capture runs in its own process, because Pulumi's mocks are process-global.
function render(stack: string): string {
  const result = spawnSync(process.execPath, [renderCli, "--stack", stack], { encoding: "utf8", cwd: repositoryRoot });
  expect(result.stderr).not.toMatch(/error/i);
  expect(result.status).toBe(0);
  return result.stdout;
}

// Every string stored at a secret path of any resource, read from a capture without masking.
function capturedSecrets(stack: string): string[] {
  const script = `
    import { captureForRender } from ${JSON.stringify(path.join(import.meta.dirname, "render-stack.ts"))};
    const captured = await captureForRender(${JSON.stringify(repositoryRoot)}, ${JSON.stringify(stack)});
    const secrets = [];
    const collect = (value) => {
      if (typeof value === "string") secrets.push(value);
      else if (value && typeof value === "object") Object.values(value).forEach(collect);
    };
    for (const resource of captured.resources) {
      for (const secretPath of resource.secretPaths ?? []) {
        let value = resource.inputs;
        for (const match of secretPath.matchAll(/([^.[\\]]+)|\\[(\\d+)\\]/g)) value = value?.[match[2] ?? match[1]];
        collect(value);
      }
    }
    process.stdout.write(JSON.stringify(secrets));
  `;
  const result = spawnSync(process.execPath, ["--input-type=module", "--eval", script], { encoding: "utf8" });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as string[];
}

describe.each(["production", "pr-7"])("render of %s", (stack) => {
  it("is byte-identical on a second run", () => {
    const first = render(stack);
    const second = render(stack);

    expect(first.length).toBeGreaterThan(1_000);
    expect(second).toBe(first);
  });

  it("hides every secret", () => {
    const text = render(stack);
    const secrets = capturedSecrets(stack);

    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      expect(text, `secret value of length ${secret.length}`).not.toContain(secret);
    }
    expect(text).toContain("[secret]");
    expect(text).not.toContain("fake-secret-for-");
    expect(text).not.toMatch(/:\/\/[^\s/:@]+:[^\s/@]+@/);
  });

  it("names the stack and shows the app spec", () => {
    const text = render(stack);

    expect(text).toContain(`\nstack: ${stack}\n`);
    expect(text).toContain("  - type: digitalocean:index/app:App\n");
    expect(text).toMatch(/\n {6}spec:\n/);
  });
});

describe("render of a review stack", () => {
  it("uses the smallest sizes, no protection and the shared registry", () => {
    const text = render("pr-7");

    expect(text).not.toContain("protect: true");
    expect(text).not.toContain("zero2prod-production");
    expect(text).toContain("name: zero2prod-pr-7\n");
    expect(text).toContain("instanceSizeSlug: apps-s-1vcpu-0.5gb\n");
    expect(text).toContain("nodeCount: 1\n");
    expect(text).not.toContain("type: digitalocean:index/containerRegistry:ContainerRegistry\n");
  });
});

describe("render CLI", () => {
  it("names a stack without a stack file", () => {
    const result = spawnSync(process.execPath, [renderCli, "--stack", "staging"], { encoding: "utf8" });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Pulumi.staging.yaml");
  });
});
