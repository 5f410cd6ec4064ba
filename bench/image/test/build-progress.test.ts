import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cacheableSteps, findInstallStep, parseBuildSteps } from "../build-progress.ts";

// Output of `docker build --progress=plain` from Docker 20.10's BuildKit for app/Dockerfile.
async function readFixture(name: string): Promise<string> {
  return readFile(path.join(import.meta.dirname, "fixtures", name), "utf8");
}

describe("parseBuildSteps", () => {
  it("reads stage, name and time of a step that ran", async () => {
    const steps = parseBuildSteps(await readFixture("cold-build-progress.txt"));

    const bundle = steps.find((step) => step.name === "RUN npm run build --workspace app");
    expect(bundle?.stage).toBe("build");
    expect(bundle?.cached).toBe(false);
    expect(bundle?.seconds).toBe(1.2);
  });

  it("keeps the log lines of a step without timestamps", async () => {
    const install = findInstallStep(parseBuildSteps(await readFixture("cold-build-progress.txt")));

    expect(install?.logs).toContain("added 72 packages in 2s");
  });

  it("marks CACHED steps without a time", async () => {
    const install = findInstallStep(parseBuildSteps(await readFixture("warm-build-progress.txt")));

    expect(install?.cached).toBe(true);
    expect(install?.seconds).toBeUndefined();
  });

  it("names internal steps with stage internal", async () => {
    const steps = parseBuildSteps(await readFixture("warm-build-progress.txt"));

    expect(steps[0]).toMatchObject({ stage: "internal", name: "load build definition from Dockerfile" });
  });

  it("ignores lines of unnamed vertices and unknown formats", () => {
    const steps = parseBuildSteps("#18 exporting to image\n#18 DONE 0.1s\nplain text\n#3 [deps 1/2] FROM node\n#3 DONE 0.0s\n");

    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ stage: "deps", name: "FROM node", seconds: 0 });
  });
});

describe("cacheableSteps", () => {
  it("lists a stage's steps without its FROM", async () => {
    const steps = parseBuildSteps(await readFixture("warm-build-progress.txt"));

    const names = cacheableSteps(steps, "deps").map((step) => step.name);

    expect(names).toHaveLength(5);
    expect(names.some((name) => name.startsWith("FROM "))).toBe(false);
    expect(cacheableSteps(steps, "deps").every((step) => step.cached)).toBe(true);
  });
});

describe("findInstallStep", () => {
  it("returns undefined when no step runs npm ci", () => {
    const steps = parseBuildSteps("#5 [build 1/1] RUN npm install\n#5 DONE 1.0s\n");

    expect(findInstallStep(steps)).toBeUndefined();
  });
});
