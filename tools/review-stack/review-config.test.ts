import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildReviewStackFile, readStackFileConfig } from "./review-config.ts";

const production = `
secretsprovider: awskms://alias/zero2prod
encryptedkey: abc123
config:
  zero2prod:platform: digitalocean
  zero2prod:region: fra1
  zero2prod:createRegistry: true
  zero2prod:databaseSize: db-s-2vcpu-4gb
  zero2prod:databaseNodeCount: 2
  zero2prod:appInstanceCount: 3
  zero2prod:protect: true
  zero2prod:domain: api.example.com
`;

const template = readFileSync(path.join(import.meta.dirname, "review.yaml"), "utf8");

describe("buildReviewStackFile", () => {
  it("applies the review template to the production config", () => {
    const config = readStackFileConfig(buildReviewStackFile(production, template, "pr-7"));

    expect(config["zero2prod:platform"]).toBe("digitalocean");
    expect(config["zero2prod:region"]).toBe("fra1");
    expect(config["zero2prod:createRegistry"]).toBe(false);
    expect(config["zero2prod:protect"]).toBe(false);
    expect(config["zero2prod:databaseSize"]).toBe("db-s-1vcpu-1gb");
    expect(config["zero2prod:databaseNodeCount"]).toBe(1);
    expect(config["zero2prod:appInstanceSize"]).toBe("apps-s-1vcpu-0.5gb");
    expect(config["zero2prod:appInstanceCount"]).toBe(1);
    expect(config).not.toHaveProperty("zero2prod:domain");
  });

  it("copies only config and not the secrets provider", () => {
    const file = buildReviewStackFile(production, template, "pr-7");

    expect(file).not.toContain("secretsprovider");
    expect(file).not.toContain("encryptedkey");
    expect(file.startsWith("# Stack pr-7: generated from Pulumi.production.yaml")).toBe(true);
  });

  it("writes keys in sorted order", () => {
    const keys = Object.keys(readStackFileConfig(buildReviewStackFile(production, template, "pr-7")));

    expect(keys).toEqual([...keys].sort());
  });

  it("rejects an encrypted production value the template leaves", () => {
    const withSecret = `${production}  zero2prod:apiKey:\n    secure: AAABAKx\n`;

    expect(() => buildReviewStackFile(withSecret, template, "pr-7")).toThrow(
      /encrypted values that stack pr-7 cannot decrypt: zero2prod:apiKey\. Set each one, or remove it with null/,
    );
  });

  it("accepts an encrypted production value the template removes", () => {
    const withSecret = `${production}  zero2prod:apiKey:\n    secure: AAABAKx\n`;
    const removing = `${template}  zero2prod:apiKey: null\n`;

    const config = readStackFileConfig(buildReviewStackFile(withSecret, removing, "pr-7"));

    expect(config).not.toHaveProperty("zero2prod:apiKey");
  });

  it.each(["production", "local", "pr-07", "acme/pr-7", "pr-7-old"])("rejects the stack name %j", (stack) => {
    expect(() => buildReviewStackFile(production, template, stack)).toThrow(/Invalid review stack name/);
  });

  it("keeps the YAML types of template values", () => {
    const file = buildReviewStackFile(production, template, "pr-7");

    expect(file).toContain("zero2prod:appInstanceCount: 1\n");
    expect(file).toContain("zero2prod:protect: false\n");
  });

  it("rejects a template key without a namespace", () => {
    expect(() => buildReviewStackFile(production, 'config:\n  protect: "false"\n', "pr-7")).toThrow(
      /Invalid key "protect" .* as in zero2prod:protect/,
    );
  });
});
