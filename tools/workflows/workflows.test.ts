import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { listWorkflowFiles } from "./workflow-files.ts";

const repositoryRoot = path.resolve(import.meta.dirname, "../..");

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

interface Job {
  name?: string;
  if?: string;
  uses?: string;
  needs?: string | string[];
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; "cancel-in-progress"?: boolean } | string;
  "timeout-minutes"?: number;
  strategy?: { matrix?: Record<string, unknown> };
  steps?: Step[];
}

interface Workflow {
  file: string;
  text: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  concurrency?: Job["concurrency"];
  env?: Record<string, unknown>;
  jobs: Record<string, Job>;
}

function loadWorkflows(): Map<string, Workflow> {
  const workflows = new Map<string, Workflow>();
  for (const file of listWorkflowFiles(repositoryRoot)) {
    const text = readFileSync(file, "utf8");
    const document = parse(text) as Omit<Workflow, "file" | "text">;
    workflows.set(path.basename(file), { ...document, file: path.basename(file), text });
  }
  return workflows;
}

const workflows = loadWorkflows();

function workflow(name: string): Workflow {
  const found = workflows.get(name);
  if (found === undefined) {
    throw new Error(`.github/workflows/${name} not found`);
  }
  return found;
}

function allJobs(): [Workflow, string, Job][] {
  return [...workflows.values()].flatMap((item) => Object.entries(item.jobs).map(([id, job]) => [item, id, job] as [Workflow, string, Job]));
}

function allSteps(): [Workflow, string, Step][] {
  return allJobs().flatMap(([item, id, job]) => (job.steps ?? []).map((step) => [item, id, step] as [Workflow, string, Step]));
}

// Every string a step passes on: its script, its `with` inputs and its environment values.
function stepText(step: Step): string {
  return [step.run ?? "", ...Object.values(step.with ?? {}).map(String), ...Object.values(step.env ?? {}).map(String)].join("\n");
}

function effectivePermissions(item: Workflow, job: Job): Record<string, string> {
  const permissions = job.permissions ?? item.permissions;
  if (permissions === undefined || typeof permissions === "string") {
    throw new Error(`${item.file}: permissions must be a mapping of scopes, got ${JSON.stringify(permissions)}`);
  }
  return permissions;
}

function effectiveConcurrency(item: Workflow, job: Job) {
  const concurrency = job.concurrency ?? item.concurrency;
  return typeof concurrency === "string" ? { group: concurrency } : concurrency;
}

const isPulumiAction = (step: Step) => step.uses?.startsWith("pulumi/actions@") === true;
const stackChangingCommands = new Set(["up", "update", "destroy", "refresh"]);
// Jobs that change a stack, with the stack expression and the concurrency group each must use.
const stackChangingJobs = [
  { file: "deploy.yml", job: "deploy", stack: "production", group: "pulumi-production" },
  { file: "review.yml", job: "deploy", stack: "${{ steps.stack.outputs.name }}", group: "pulumi-pr-${{ github.event.pull_request.number }}" },
  { file: "review.yml", job: "destroy", stack: "${{ steps.stack.outputs.name }}", group: "pulumi-pr-${{ github.event.pull_request.number }}" },
  { file: "cleanup.yml", job: "remove", stack: "${{ matrix.stack }}", group: "pulumi-${{ matrix.stack }}" },
];

describe("workflow files", () => {
  it("are the six this repository documents", () => {
    expect([...workflows.keys()]).toEqual(["checks.yml", "cleanup.yml", "deploy.yml", "drift.yml", "preview.yml", "review.yml"]);
  });
});

describe("triggers", () => {
  it("run the checks on pushes, pull requests and calls", () => {
    const on = workflow("checks.yml").on;

    expect(on.push).toEqual({ "branches-ignore": ["main"] });
    expect(on).toHaveProperty("pull_request");
    expect(on).toHaveProperty("workflow_call");
  });

  it("preview every pull request update", () => {
    expect(workflow("preview.yml").on).toEqual({ pull_request: { types: ["opened", "synchronize", "reopened"] } });
  });

  it("create, update and destroy review environments", () => {
    expect(workflow("review.yml").on).toEqual({ pull_request: { types: ["opened", "synchronize", "reopened", "closed"] } });
    expect(workflow("review.yml").jobs.deploy?.if).toContain("github.event.action != 'closed'");
    expect(workflow("review.yml").jobs.destroy?.if).toContain("github.event.action == 'closed'");
  });

  it("deploy main after the checks pass", () => {
    const deploy = workflow("deploy.yml");

    expect(deploy.on).toEqual({ push: { branches: ["main"] } });
    expect(deploy.jobs.checks?.uses).toBe("./.github/workflows/checks.yml");
    expect(deploy.jobs.deploy?.needs).toBe("checks");
  });

  it("clean up and check drift on a schedule", () => {
    for (const name of ["cleanup.yml", "drift.yml"]) {
      const on = workflow(name).on as { schedule?: { cron: string }[] };

      expect(on.schedule?.[0]?.cron, name).toMatch(/^\d+ \d+ \* \* \*$/);
      expect(on, name).toHaveProperty("workflow_dispatch");
    }
  });

  it("let a person set the cleanup's maximum age", () => {
    const cleanup = workflow("cleanup.yml");

    expect(cleanup.on.workflow_dispatch).toEqual({ inputs: { "max-age-days": expect.objectContaining({ default: "7" }) } });
    expect(cleanup.env?.MAX_AGE_DAYS).toBe("${{ inputs.max-age-days || '7' }}");
    expect(cleanup.jobs.choose?.steps?.find((step) => step.id === "choose")?.run).toContain('--max-age-days "$MAX_AGE_DAYS"');
  });
});

describe("permissions", () => {
  it("are set as scopes in every workflow", () => {
    for (const item of workflows.values()) {
      expect(typeof item.permissions, item.file).toBe("object");
    }
  });

  it("grant write access only to pull requests, and only to jobs that comment", () => {
    for (const [item, id, job] of allJobs()) {
      if (job.uses !== undefined) {
        continue;
      }
      const permissions = effectivePermissions(item, job);
      const comments = (job.steps ?? []).some((step) => step.run?.includes("tools/pr-comment/upsert-comment.ts"));

      for (const [scope, access] of Object.entries(permissions)) {
        expect(["contents", "pull-requests"], `${item.file} ${id} scope ${scope}`).toContain(scope);
        expect(["read", "write"], `${item.file} ${id} ${scope}`).toContain(access);
      }
      expect(permissions.contents, `${item.file} ${id}`).toBe("read");
      expect(permissions["pull-requests"] === "write", `${item.file} ${id} pull-requests: write`).toBe(comments);
    }
  });

  it("let only the preview and review workflows comment", () => {
    const commenting = allJobs()
      .filter(([item, , job]) => job.uses === undefined && effectivePermissions(item, job)["pull-requests"] === "write")
      .map(([item, id]) => `${item.file} ${id}`);

    expect(commenting).toEqual(["preview.yml preview", "review.yml deploy", "review.yml destroy"]);
  });
});

describe("concurrency", () => {
  it.each(stackChangingJobs)("gives $file $job the group of its stack", ({ file, job, stack, group }) => {
    const item = workflow(file);
    const found = item.jobs[job] as Job;
    const concurrency = effectiveConcurrency(item, found);
    const pulumiSteps = (found.steps ?? []).filter((step) => isPulumiAction(step) && step.with?.command !== undefined);

    expect(concurrency?.group).toBe(group);
    expect(concurrency?.["cancel-in-progress"]).toBe(false);
    expect(pulumiSteps.length).toBeGreaterThan(0);
    for (const step of pulumiSteps) {
      expect(step.with?.["stack-name"]).toBe(stack);
    }
  });

  it("covers every job that changes a stack", () => {
    const changing = allJobs()
      .filter(([, , job]) =>
        (job.steps ?? []).some((step) => isPulumiAction(step) && stackChangingCommands.has(String(step.with?.command))),
      )
      .map(([item, id]) => `${item.file} ${id}`);

    expect(changing).toEqual(stackChangingJobs.map(({ file, job }) => `${file} ${job}`).sort());
  });

  it("keeps read-only runs out of the stacks' groups", () => {
    expect(effectiveConcurrency(workflow("preview.yml"), workflow("preview.yml").jobs.preview as Job)?.group).toBe(
      "preview-production-pr-${{ github.event.pull_request.number }}",
    );
    expect(effectiveConcurrency(workflow("drift.yml"), workflow("drift.yml").jobs.drift as Job)?.group).toBe("drift-production");
  });
});

describe("stacks", () => {
  it("name production only in preview, deploy and drift", () => {
    const naming = allSteps()
      .filter(([, , step]) => /\bproduction\b/.test(stepText(step)) || step.with?.["stack-name"] === "production")
      .map(([item]) => item.file);
    const withProductionEnv = [...workflows.values()].filter((item) => item.text.includes("STACK: production")).map((item) => item.file);

    expect([...new Set([...naming, ...withProductionEnv])].sort()).toEqual(["deploy.yml", "drift.yml", "preview.yml"]);
  });

  it("never destroy or remove production", () => {
    for (const [item, id, step] of allSteps()) {
      const text = stepText(step);
      const label = `${item.file} ${id} ${step.name ?? step.uses ?? step.run}`;

      expect(text, label).not.toMatch(/pulumi\s+(destroy|stack\s+rm)\b/);
      if (isPulumiAction(step) && (step.with?.command === "destroy" || step.with?.remove === true)) {
        expect(step.with?.["stack-name"], label).not.toMatch(/production/);
        expect(["${{ steps.stack.outputs.name }}", "${{ matrix.stack }}"], label).toContain(step.with?.["stack-name"]);
      }
    }
  });

  it("destroy and remove review stacks on close and in cleanup", () => {
    const destroying = allSteps()
      .filter(([, , step]) => isPulumiAction(step) && step.with?.command === "destroy")
      .map(([item, id, step]) => `${item.file} ${id} remove=${String(step.with?.remove)}`);

    expect(destroying).toEqual(["cleanup.yml remove remove=true", "review.yml destroy remove=true"]);
  });

  it("take review stack names only from the validating CLIs", () => {
    for (const file of ["review.yml", "cleanup.yml"]) {
      for (const [id, job] of Object.entries(workflow(file).jobs)) {
        const steps = job.steps ?? [];
        const naming = steps.find((step) => step.id === "stack");
        if (naming !== undefined) {
          expect(naming.run, `${file} ${id}`).toContain('node tools/review-stack/print-stack-name.ts "$PR_NUMBER"');
          expect(naming.env?.PR_NUMBER, `${file} ${id}`).toBe("${{ github.event.pull_request.number }}");
        }
        for (const step of steps.filter((item) => item.env?.STACK !== undefined)) {
          expect(["${{ steps.stack.outputs.name }}", "${{ matrix.stack }}"], `${file} ${id} ${step.name}`).toContain(step.env?.STACK);
        }
      }
    }

    const remove = workflow("cleanup.yml").jobs.remove as Job;
    const checkIndex = (remove.steps ?? []).findIndex((step) => step.run?.includes("print-stack-name.ts"));
    const destroyIndex = (remove.steps ?? []).findIndex((step) => step.with?.command === "destroy");
    expect(remove.strategy?.matrix?.stack).toBe("${{ fromJSON(needs.choose.outputs.stacks) }}");
    expect(workflow("cleanup.yml").jobs.choose?.steps?.find((step) => step.id === "choose")?.run).toContain(
      "node tools/review-stack/choose-stale-stacks.ts",
    );
    expect(checkIndex).toBeGreaterThanOrEqual(0);
    expect(checkIndex).toBeLessThan(destroyIndex);
  });

  it("write the review template's config before each review stack operation", () => {
    for (const [file, id] of [["review.yml", "deploy"], ["review.yml", "destroy"], ["cleanup.yml", "remove"]] as const) {
      const steps = workflow(file).jobs[id]?.steps ?? [];
      const writeIndex = steps.findIndex((step) => step.run?.includes("tools/review-stack/write-stack-config.ts"));
      const pulumiIndex = steps.findIndex((step) => isPulumiAction(step) && step.with?.command !== undefined);

      expect(writeIndex, `${file} ${id}`).toBeGreaterThanOrEqual(0);
      expect(writeIndex, `${file} ${id}`).toBeLessThan(pulumiIndex);
    }
  });

  it("create review stacks on first use", () => {
    const up = workflow("review.yml").jobs.deploy?.steps?.find((step) => step.with?.command === "up");

    expect(up?.with?.upsert).toBe(true);
  });
});

describe("secrets", () => {
  it("come only from the two repository secrets", () => {
    for (const item of workflows.values()) {
      const names = [...item.text.matchAll(/secrets\.([A-Za-z0-9_]+)/g)].map((match) => match[1]);

      expect(names.every((name) => name === "PULUMI_ACCESS_TOKEN" || name === "DIGITALOCEAN_TOKEN"), item.file).toBe(true);
      expect(item.text, item.file).not.toContain("secrets: inherit");
    }
  });

  it("reach scripts only through step environment variables", () => {
    for (const [item, id, step] of allSteps()) {
      expect(step.run ?? "", `${item.file} ${id} ${step.name}`).not.toContain("${{");
    }
  });
});

describe("actions", () => {
  it("are pinned to a full commit with its version tag", () => {
    const uses = [...new Set([...workflows.values()].flatMap((item) => [...item.text.matchAll(/uses: (\S+)(.*)$/gm)].map((match) => `${match[1]}${match[2]}`)))];

    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) {
      if (line.startsWith("./")) {
        continue;
      }
      expect(line).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
  });

  it("pin one action version per action", () => {
    const versions = new Map<string, Set<string>>();
    for (const [, , step] of allSteps()) {
      const [action, ref] = (step.uses ?? "").split("@");
      if (action !== undefined && ref !== undefined) {
        versions.set(action, (versions.get(action) ?? new Set()).add(ref));
      }
    }

    for (const [action, refs] of versions) {
      expect(refs.size, action).toBe(1);
    }
  });

  it("install a Pulumi CLI no older than the SDK", () => {
    const sdk = JSON.parse(readFileSync(path.join(repositoryRoot, "node_modules/@pulumi/pulumi/package.json"), "utf8")).version as string;
    const cliVersions = new Set(allSteps().filter(([, , step]) => isPulumiAction(step)).map(([, , step]) => String(step.with?.["pulumi-version"])));
    const [cli] = [...cliVersions];
    const numbers = (version: string) => version.split(".").map(Number);

    expect(cliVersions.size).toBe(1);
    expect(cli).toMatch(/^\d+\.\d+\.\d+$/);
    const [cliMajor, cliMinor, cliPatch] = numbers(cli as string);
    const [sdkMajor, sdkMinor, sdkPatch] = numbers(sdk);
    expect(cliMajor).toBe(sdkMajor);
    expect((cliMinor as number) * 10_000 + (cliPatch as number)).toBeGreaterThanOrEqual((sdkMinor as number) * 10_000 + (sdkPatch as number));
  });
});

describe("jobs", () => {
  it("take Node.js from .nvmrc", () => {
    const setups = allSteps().filter(([, , step]) => step.uses?.startsWith("actions/setup-node@"));

    expect(setups.length).toBeGreaterThan(0);
    for (const [item, id, step] of setups) {
      expect(step.with?.["node-version-file"], `${item.file} ${id}`).toBe(".nvmrc");
      expect(step.with, `${item.file} ${id}`).not.toHaveProperty("node-version");
    }
  });

  it("set up Node.js before running node or npm", () => {
    for (const [item, id, job] of allJobs()) {
      const steps = job.steps ?? [];
      const firstNode = steps.findIndex((step) => /(^|\s)(node|npm) /m.test(step.run ?? ""));
      const setup = steps.findIndex((step) => step.uses?.startsWith("actions/setup-node@"));
      if (firstNode >= 0 || (steps.some((step) => step.run?.includes("bash .ci/run")))) {
        expect(setup, `${item.file} ${id}`).toBeGreaterThanOrEqual(0);
        expect(setup, `${item.file} ${id}`).toBeLessThan(firstNode >= 0 ? firstNode : steps.length);
      }
    }
  });

  it("have a timeout and check out without keeping credentials", () => {
    for (const [item, id, job] of allJobs()) {
      if (job.uses !== undefined) {
        continue;
      }
      expect(job["timeout-minutes"], `${item.file} ${id}`).toBeGreaterThan(0);
      for (const step of (job.steps ?? []).filter((item) => item.uses?.startsWith("actions/checkout@"))) {
        expect(step.with?.["persist-credentials"], `${item.file} ${id}`).toBe(false);
      }
    }
  });
});

describe("pull requests from forks", () => {
  const preview = workflow("preview.yml").jobs.preview as Job;
  const steps = preview.steps ?? [];
  const access = steps.find((step) => step.id === "access");

  it("are detected by the missing secrets", () => {
    expect(access?.env?.HAS_PULUMI_TOKEN).toBe("${{ secrets.PULUMI_ACCESS_TOKEN != '' }}");
    expect(access?.env?.HAS_DIGITALOCEAN_TOKEN).toBe("${{ secrets.DIGITALOCEAN_TOKEN != '' }}");
    expect(access?.run).toContain("::notice title=Offline preview::");
  });

  it("run the live preview only with the secrets", () => {
    const live = steps.filter((step) => step.env?.PULUMI_ACCESS_TOKEN !== undefined || isPulumiAction(step));

    expect(live.length).toBeGreaterThan(0);
    for (const step of live) {
      expect(step.if, step.name).toMatch(/^steps\.access\.outputs\.live == 'true'/);
    }
  });

  it("get the offline render diff in the job summary instead", () => {
    const offline = steps.find((step) => step.run?.includes("npm run --silent render:diff"));

    expect(offline?.if).toBe("steps.access.outputs.live != 'true'");
    expect(offline?.env?.BASE_SHA).toBe("${{ github.event.pull_request.base.sha }}");
    expect(offline?.run).toContain('>> "$GITHUB_STEP_SUMMARY"');
    expect(offline?.run).toContain("instead of \\`pulumi preview\\`");
  });

  it("get no review environment", () => {
    for (const id of ["deploy", "destroy"]) {
      expect(workflow("review.yml").jobs[id]?.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
    }
  });
});

describe("preview comment", () => {
  const steps = (workflow("preview.yml").jobs.preview as Job).steps ?? [];
  const comment = steps.find((step) => step.run?.includes("upsert-comment.ts"));

  it("is built with the marker, the trimming and the full-output hint", () => {
    expect(comment?.run).toContain('--marker "$COMMENT_MARKER"');
    expect(comment?.run).toContain("--full-output-hint");
    expect(workflow("preview.yml").env?.COMMENT_MARKER).toBe("zero2prod:preview:production");
  });

  it("points to the uploaded full output", () => {
    const upload = steps.find((step) => step.uses?.startsWith("actions/upload-artifact@") && step.with?.name === "pulumi-preview-production");

    expect(upload?.with?.path).toBe("${{ runner.temp }}/preview.txt");
    expect(comment?.run).toContain("its \\`pulumi-preview-production\\` artifact");
  });

  it("comes from pulumi preview --diff of production", () => {
    const preview = steps.find((step) => step.id === "preview");

    expect(preview?.run).toContain('pulumi preview --stack "$STACK" --diff --non-interactive');
    expect(workflow("preview.yml").env?.STACK).toBe("production");
  });
});
