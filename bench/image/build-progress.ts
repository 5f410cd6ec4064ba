// Parses the output of `docker build --progress=plain` (BuildKit), where every line starts
// with `#<vertex>`: a name line such as `#11 [deps 6/6] RUN npm ci`, log lines with a
// timestamp, then `#11 CACHED`, `#11 DONE 3.1s` or `#11 ERROR: ...`.

export interface BuildStep {
  // The vertex name without the stage prefix, such as "RUN npm ci ..." or "load build context".
  name: string;
  // The Dockerfile stage, such as "deps", or "internal" for BuildKit's own steps.
  stage: string;
  cached: boolean;
  // From BuildKit's DONE line; undefined for cached steps and steps that did not finish.
  seconds: number | undefined;
  // Log lines the step printed, without the vertex number and timestamp.
  logs: string[];
}

const namePattern = /^#(\d+) \[([^\]]+)\] (.*)$/;
const donePattern = /^#(\d+) DONE (\d+(?:\.\d+)?)s$/;
const cachedPattern = /^#(\d+) CACHED$/;
const logPattern = /^#(\d+) \d+\.\d+ (.*)$/;

// Returns the steps in the order BuildKit first named them.
export function parseBuildSteps(output: string): BuildStep[] {
  const steps = new Map<string, BuildStep>();

  for (const line of output.split("\n")) {
    const named = namePattern.exec(line);
    if (named !== null) {
      const [, vertex = "", label = "", name = ""] = named;
      if (!steps.has(vertex)) {
        // "[deps 6/6]" names stage deps; "[internal]" has no step count.
        steps.set(vertex, { name, stage: label.split(" ")[0] ?? label, cached: false, seconds: undefined, logs: [] });
      }
      continue;
    }

    const done = donePattern.exec(line);
    if (done !== null) {
      const step = steps.get(done[1] ?? "");
      if (step !== undefined) {
        step.seconds = Number(done[2]);
      }
      continue;
    }

    const cached = cachedPattern.exec(line);
    if (cached !== null) {
      const step = steps.get(cached[1] ?? "");
      if (step !== undefined) {
        step.cached = true;
      }
      continue;
    }

    const log = logPattern.exec(line);
    if (log !== null) {
      steps.get(log[1] ?? "")?.logs.push(log[2] ?? "");
    }
  }
  return [...steps.values()];
}

// The RUN step that installs the packages (`npm ci`), or undefined when the build has none.
export function findInstallStep(steps: BuildStep[]): BuildStep | undefined {
  return steps.find((step) => step.name.startsWith("RUN ") && /\bnpm ci\b/.test(step.name));
}

// The steps of one stage that BuildKit can take from its cache or run again: every step but
// the stage's FROM, which BuildKit never reports as CACHED.
export function cacheableSteps(steps: BuildStep[], stage: string): BuildStep[] {
  return steps.filter((step) => step.stage === stage && !step.name.startsWith("FROM "));
}
