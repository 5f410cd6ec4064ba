import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const cli = path.join(import.meta.dirname, "check-drift.ts");
const appUrn = "urn:pulumi:production::zero2prod::digitalocean:index/app:App::zero2prod-production-app";

// A stand-in `pulumi` for the Automation API. It reports version 3.200.0, for which the API
// reads engine events from the --event-log file, and writes the given events there on refresh.
function fakePulumi(events: object[]) {
  const folder = mkdtempSync(path.join(tmpdir(), "fake-pulumi-"));
  const eventsFile = path.join(folder, "events.json");
  writeFileSync(eventsFile, JSON.stringify(events));
  const script = `#!/usr/bin/env node
const fs = require("node:fs");
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(path.join(folder, "calls.log"))}, args.join(" ") + "\\n");
if (args[0] === "version") { process.stdout.write("v3.200.0\\n"); process.exit(0); }
if (args[0] === "refresh") {
  const log = args[args.indexOf("--event-log") + 1];
  const events = JSON.parse(fs.readFileSync(${JSON.stringify(eventsFile)}, "utf8"));
  fs.appendFileSync(log, events.map((event) => JSON.stringify(event) + "\\n").join(""));
  process.stdout.write("Previewing refresh (production)\\n");
}
`;
  writeFileSync(path.join(folder, "pulumi"), script);
  chmodSync(path.join(folder, "pulumi"), 0o755);

  const summaryFile = path.join(folder, "summary.md");
  const run = () =>
    spawnSync(process.execPath, [cli, "--stack", "production"], {
      encoding: "utf8",
      env: {
        ...process.env,
        PATH: `${folder}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
        GITHUB_STEP_SUMMARY: summaryFile,
        PULUMI_SKIP_UPDATE_CHECK: "true",
      },
    });
  return { run, summary: () => readFileSync(summaryFile, "utf8"), calls: () => readFileSync(path.join(folder, "calls.log"), "utf8") };
}

function summaryEvent(resourceChanges: Record<string, number>) {
  return { sequence: 9, timestamp: 0, summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges, policyPacks: {} } };
}

describe("check-drift CLI", () => {
  it("passes and writes the summary when nothing drifted", () => {
    const pulumi = fakePulumi([summaryEvent({ same: 9 })]);

    const result = pulumi.run();

    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Previewing refresh (production)");
    expect(pulumi.summary()).toBe("### No drift in `production`\n\nThe cloud matches the state: 9 same.\n");
    expect(pulumi.calls()).toMatch(/^refresh --preview-only --color never --suppress-progress .*--stack production/m);
  });

  it("fails and names the drifted resource", () => {
    const pulumi = fakePulumi([
      {
        sequence: 1,
        timestamp: 0,
        resOutputsEvent: { metadata: { op: "update", urn: appUrn, type: "digitalocean:index/app:App", provider: "", diffs: ["spec"] } },
      },
      summaryEvent({ same: 8, update: 1 }),
    ]);

    const result = pulumi.run();

    expect(result.status).toBe(1);
    expect(result.stdout).toContain("::error title=Drift in production::");
    expect(pulumi.summary()).toContain(`- update \`${appUrn}\`: \`spec\``);
  });

  it("fails when the engine sends no summary", () => {
    const pulumi = fakePulumi([]);

    const result = pulumi.run();

    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Failed to read the change summary of the refresh preview of production, so drift is unknown");
  });
});
