import type { OpMap, OpType } from "@pulumi/pulumi/automation/index.js";

// The fields of an engine step event (StepEventMetadata) that the report reads.
export interface StepSummary {
  op: OpType;
  urn: string;
  diffs?: string[];
}

export interface DriftedResource {
  op: OpType;
  urn: string;
  // Properties that differ between the state and the cloud, when the provider reports them.
  properties: string[];
}

export interface DriftReport {
  drifted: boolean;
  // Count of resources per operation, "same" included, sorted by operation.
  counts: [OpType, number][];
  resources: DriftedResource[];
}

// Operations that leave a resource as the state has it. A refresh step ("refresh") counts as
// drift only when it lists differing properties.
const unchangedOps = new Set<OpType>(["same", "read", "refresh"]);

// Builds the drift report of `pulumi refresh --preview-only`: the stack has drifted when the
// change summary counts any operation other than "same". The resources come from the step
// events and only name what changed; the summary alone decides `drifted`.
export function buildDriftReport(changeSummary: OpMap, steps: readonly StepSummary[]): DriftReport {
  const counts = (Object.entries(changeSummary) as [OpType, number][])
    .filter(([, count]) => count > 0)
    .sort(([left], [right]) => (left < right ? -1 : 1));
  const drifted = counts.some(([op]) => op !== "same");

  const resources = new Map<string, DriftedResource>();
  for (const step of steps) {
    const properties = [...(step.diffs ?? [])].sort();
    if (unchangedOps.has(step.op) && properties.length === 0) {
      continue;
    }
    resources.set(step.urn, { op: step.op, urn: step.urn, properties });
  }

  return { drifted, counts, resources: [...resources.values()].sort((left, right) => (left.urn < right.urn ? -1 : 1)) };
}

// Formats the report as Markdown for the job summary.
export function formatDriftReport(stack: string, report: DriftReport): string {
  const counts = report.counts.map(([op, count]) => `${count} ${op}`).join(", ") || "no resources";
  if (!report.drifted) {
    return `### No drift in \`${stack}\`\n\nThe cloud matches the state: ${counts}.\n`;
  }

  const lines = [
    `### Drift in \`${stack}\``,
    "",
    `The cloud differs from the state: ${counts}. Run \`pulumi refresh --stack ${stack}\` to accept the cloud's values into the state, or \`pulumi up --stack ${stack}\` to restore the program's; the job log has the full diff.`,
    "",
  ];
  for (const resource of report.resources) {
    const properties = resource.properties.length > 0 ? `: ${resource.properties.map((name) => `\`${name}\``).join(", ")}` : "";
    lines.push(`- ${resource.op} \`${resource.urn}\`${properties}`);
  }
  return `${lines.join("\n")}\n`;
}
