// Runs `pulumi refresh --preview-only` on a stack through the Automation API, which calls the
// Pulumi CLI on PATH, and exits 1 when the cloud differs from the state. The CLI's output goes
// to stdout; the report also goes to the job summary when GITHUB_STEP_SUMMARY is set.
//
//   node tools/drift/check-drift.ts --stack production
import { appendFileSync } from "node:fs";
import path from "node:path";
import { LocalWorkspace, type RefreshOptions } from "@pulumi/pulumi/automation/index.js";
import { parseOptions, runCli } from "../cli/run-cli.ts";
import { buildDriftReport, formatDriftReport, type StepSummary } from "./drift-report.ts";

const repositoryRoot = path.resolve(import.meta.dirname, "../..");

async function previewRefresh(stackName: string, options: RefreshOptions) {
  try {
    const stack = await LocalWorkspace.selectStack({ stackName, workDir: repositoryRoot });
    return await stack.previewRefresh(options);
  } catch (error) {
    const reason = error instanceof Error ? error.message.trim() : String(error);
    throw new Error(
      `Failed to preview a refresh of stack ${stackName} with the Pulumi CLI on PATH (set PULUMI_ACCESS_TOKEN and the provider's credentials): ${reason}`,
    );
  }
}

runCli(async () => {
  const options = parseOptions("check-drift", { stack: { type: "string", default: "production" } }, ["stack"]);
  const stackName = options.stack as string;

  const steps: StepSummary[] = [];
  const result = await previewRefresh(stackName, {
    color: "never",
    suppressProgress: true,
    onOutput: (output) => process.stdout.write(output),
    onEvent: (event) => {
      const metadata = event.resOutputsEvent?.metadata ?? event.resourcePreEvent?.metadata;
      if (metadata !== undefined) {
        steps.push({ op: metadata.op, urn: metadata.urn, diffs: metadata.diffs });
      }
    },
  });

  // Without the engine's summary event the result would read as "no drift", so it is an error.
  if (Object.keys(result.changeSummary).length === 0) {
    throw new Error(
      `Failed to read the change summary of the refresh preview of ${stackName}, so drift is unknown: check the Pulumi CLI output above`,
    );
  }
  const report = buildDriftReport(result.changeSummary, steps);
  const markdown = formatDriftReport(stackName, report);
  process.stdout.write(`\n${markdown}`);
  if (process.env.GITHUB_STEP_SUMMARY) {
    appendFileSync(process.env.GITHUB_STEP_SUMMARY, markdown);
  }
  if (report.drifted) {
    process.stdout.write(`::error title=Drift in ${stackName}::The cloud differs from the state of ${stackName}; see the job summary.\n`);
    process.exitCode = 1;
  }
});
