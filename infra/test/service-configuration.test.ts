import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { parse, stringify } from "yaml";
import { configurationDirectory, repositoryRoot } from "../paths.ts";
import { captureStack } from "../testing/capture.ts";

// The program reads configuration/ from a temporary copy that each test breaks in one place.
vi.mock("../paths.ts", async (importOriginal) => {
  const original = await importOriginal<typeof import("../paths.ts")>();
  const { mkdtempSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  return { ...original, configurationDirectory: mkdtempSync(path.join(tmpdir(), "zero2prod-configuration-")) };
});

const files = ["base.yaml", "local.yaml", "production.yaml"];

function changeFile(file: string, change: (content: Record<string, Record<string, unknown>>) => void): void {
  const filePath = path.join(configurationDirectory, file);
  const content = parse(readFileSync(filePath, "utf8")) as Record<string, Record<string, unknown>>;
  change(content);
  writeFileSync(filePath, stringify(content));
}

beforeEach(() => {
  for (const file of files) {
    copyFileSync(path.join(repositoryRoot, "configuration", file), path.join(configurationDirectory, file));
  }
});

describe("service configuration", () => {
  it("passes unchanged on both stacks", async () => {
    await expect(captureStack("local")).resolves.toHaveProperty("outputs.url");
    await expect(captureStack("production")).resolves.toHaveProperty("outputs.url");
  });

  it("fails production on a rejected setting", async () => {
    changeFile("production.yaml", (content) => {
      content.application = { ...content.application, health_check_path: "health" };
    });

    const failure = captureStack("production");

    await expect(failure).rejects.toSatisfy(pulumi.RunError.isInstance);
    await expect(failure).rejects.toThrow(/would reject its configuration on the production stack \(APP_ENVIRONMENT=production\)/);
    await expect(failure).rejects.toThrow(/application\.health_check_path: must be a path that starts with \//);
  });

  it("fails local on a rejected setting", async () => {
    changeFile("local.yaml", (content) => {
      content.database = { ...content.database, require_ssl: "sometimes" };
    });

    await expect(captureStack("local")).rejects.toThrow(/database\.require_ssl: .*got "sometimes"/);
  });

  it("fails production without TLS to the database", async () => {
    changeFile("production.yaml", (content) => {
      content.database = { ...content.database, require_ssl: false };
    });

    await expect(captureStack("production")).rejects.toThrow(/database\.require_ssl is false for production/);
  });

  it("fails production on a user the job cannot grant to", async () => {
    changeFile("base.yaml", (content) => {
      content.database = { ...content.database, username: "pg_newsletter" };
    });

    const failure = captureStack("production");

    await expect(failure).rejects.toSatisfy(pulumi.RunError.isInstance);
    await expect(failure).rejects.toThrow(/database\.username is "pg_newsletter", which the migration job cannot grant access to/);
    await expect(failure).rejects.toThrow(/must name a role of your own/);
  });

  it("fails a password written in a file", async () => {
    changeFile("base.yaml", (content) => {
      content.database = { ...content.database, password: "written-in-a-file" };
    });

    const failure = captureStack("local");

    await expect(failure).rejects.toThrow(/database\.password is set in configuration\/base\.yaml or configuration\/local\.yaml/);
    await expect(failure).rejects.not.toThrow(/written-in-a-file/);
  });
});
