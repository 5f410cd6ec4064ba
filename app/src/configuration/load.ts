import { readFileSync } from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { environments, secretKeys, Settings, type Environment } from "./settings.ts";

export interface LoadOptions {
  // Defaults to process.env.
  env?: Record<string, string | undefined>;
  // The folder holding base.yaml and one file per environment; defaults to <cwd>/configuration.
  directory?: string;
}

export class ConfigurationError extends Error {
  readonly problems: readonly string[];

  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigurationError";
    this.problems = problems;
  }
}

type Tree = { [key: string]: unknown };

// Settings come from base.yaml, then the environment's file, then APP_<SECTION>__<KEY>
// variables; each later source replaces single keys of the earlier ones.
export function loadSettings(options: LoadOptions = {}): Settings {
  const env = options.env ?? process.env;
  const directory = options.directory ?? path.join(process.cwd(), "configuration");
  const environment = parseEnvironment(env.APP_ENVIRONMENT);

  const files = ["base.yaml", `${environment}.yaml`].map((file) => path.join(directory, file));
  const merged: Tree = {};
  const sources = new Map<string, string>();
  for (const file of files) {
    mergeInto(merged, readYamlFile(file), [], displayPath(file), sources);
  }
  applyVariables(merged, env, sources);

  const result = Settings.safeParse(merged);
  if (!result.success) {
    throw new ConfigurationError(describeIssues(result.error.issues, merged, sources, files.map(displayPath)));
  }
  return result.data;
}

export function parseEnvironment(value: string | undefined): Environment {
  const name = (value ?? "local").trim().toLowerCase();
  const environment = environments.find((candidate) => candidate === name);
  if (environment === undefined) {
    throw new ConfigurationError([
      `APP_ENVIRONMENT is "${value}", which is not an environment: use one of ${environments.join(", ")}`,
    ]);
  }
  return environment;
}

function readYamlFile(filePath: string): Tree {
  let text: string;
  try {
    text = readFileSync(filePath, "utf8");
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT"
        ? `the file does not exist; run from the folder that holds configuration/ (looked in ${path.dirname(filePath)})`
        : String(error);
    throw new ConfigurationError([`Failed to read ${displayPath(filePath)}: ${reason}`]);
  }

  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  // Warnings cover unknown tags (!foo), whose values would otherwise load as plain strings.
  const problems = [...document.errors, ...document.warnings];
  if (problems.length > 0) {
    throw new ConfigurationError(problems.map((problem) => invalidYaml(filePath, problem.message)));
  }

  let content: unknown;
  try {
    content = document.toJS();
  } catch (error) {
    // For example an alias that expands too often ("billion laughs").
    throw new ConfigurationError([invalidYaml(filePath, (error as Error).message)]);
  }
  if (content === null || content === undefined) {
    return {};
  }
  if (!isTree(content)) {
    const kind = Array.isArray(content) ? "list" : typeof content;
    throw new ConfigurationError([`${displayPath(filePath)} must contain a mapping of sections, not a ${kind}`]);
  }
  rejectUnsafeKeysAndCycles(content, [], filePath, new Set());
  return content;
}

function invalidYaml(filePath: string, message: string): string {
  const firstLine = (message.split("\n")[0] ?? "").replace(/:$/, "");
  return `${displayPath(filePath)} is not valid YAML: ${firstLine}`;
}

// Keys that name JavaScript's object internals could change every object's prototype while
// merging, and no setting is named like them.
const reservedKeys = new Set(["__proto__", "constructor", "prototype"]);

// Also rejects values that contain themselves, which a YAML alias inside its own anchor makes.
function rejectUnsafeKeysAndCycles(value: unknown, keyPath: string[], filePath: string, enclosing: Set<unknown>): void {
  if (typeof value !== "object" || value === null) {
    return;
  }
  if (enclosing.has(value)) {
    throw new ConfigurationError([
      `${keyPath.join(".")}: refers to itself through a YAML alias (in ${displayPath(filePath)}); write the value out`,
    ]);
  }
  enclosing.add(value);
  for (const [key, child] of Object.entries(value)) {
    if (reservedKeys.has(key)) {
      throw new ConfigurationError([`${[...keyPath, key].join(".")}: not a known setting (from ${displayPath(filePath)}); remove it`]);
    }
    rejectUnsafeKeysAndCycles(child, [...keyPath, key], filePath, enclosing);
  }
  enclosing.delete(value);
}

function mergeInto(target: Tree, source: Tree, prefix: string[], origin: string, sources: Map<string, string>): void {
  for (const [key, value] of Object.entries(source)) {
    const keyPath = [...prefix, key];
    const existing = Object.hasOwn(target, key) ? target[key] : undefined;
    if (isTree(value) && isTree(existing)) {
      mergeInto(existing, value, keyPath, origin, sources);
    } else {
      target[key] = isTree(value) ? structuredClone(value) : value;
      recordSources(value, keyPath, origin, sources);
    }
  }
}

function recordSources(value: unknown, keyPath: string[], origin: string, sources: Map<string, string>): void {
  sources.set(keyPath.join("."), origin);
  if (isTree(value)) {
    for (const [key, child] of Object.entries(value)) {
      recordSources(child, [...keyPath, key], origin, sources);
    }
  }
}

// APP_DATABASE__PORT=5433 sets database.port. Variables without "__" (APP_ENVIRONMENT, or
// APP_URL that a platform may inject) are not settings and are left alone.
function applyVariables(merged: Tree, env: Record<string, string | undefined>, sources: Map<string, string>): void {
  const names = Object.keys(env)
    .filter((name) => name.startsWith("APP_") && name.includes("__"))
    .sort();

  for (const name of names) {
    const value = env[name];
    if (value === undefined) {
      continue;
    }
    const keyPath = name.slice("APP_".length).toLowerCase().split("__");
    if (keyPath.some((segment) => segment === "")) {
      throw new ConfigurationError([
        `${name} is not a settings variable: use APP_<SECTION>__<KEY>, for example APP_DATABASE__PORT`,
      ]);
    }

    let section = merged;
    keyPath.slice(0, -1).forEach((segment, index) => {
      if (!Object.hasOwn(section, segment) || !isTree(section[segment])) {
        section[segment] = {};
        sources.set(keyPath.slice(0, index + 1).join("."), `variable ${name}`);
      }
      section = section[segment] as Tree;
    });
    section[keyPath.at(-1) as string] = value;
    sources.set(keyPath.join("."), `variable ${name}`);
  }
}

function describeIssues(
  issues: z.core.$ZodIssue[],
  merged: Tree,
  sources: Map<string, string>,
  files: string[],
): string[] {
  return issues.flatMap((issue) => {
    const keyPath = issue.path.map(String);

    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => {
        const unknown = [...keyPath, key].join(".");
        return `${unknown}: not a known setting (from ${sources.get(unknown) ?? "an unknown source"}); remove it or correct its name`;
      });
    }

    const key = keyPath.join(".");
    const value = valueAt(merged, keyPath);
    if (value === undefined) {
      const variable = `APP_${keyPath.join("__").toUpperCase()}`;
      return [`${key}: missing; set it in ${files.join(" or ")}, or as ${variable}`];
    }

    const displayed = secretKeys.has(key) ? "[secret]" : JSON.stringify(value);
    return [`${key}: ${issue.message}, got ${displayed} (from ${sources.get(key) ?? "an unknown source"})`];
  });
}

function valueAt(tree: Tree, keyPath: string[]): unknown {
  let current: unknown = tree;
  for (const segment of keyPath) {
    if (!isTree(current)) {
      return undefined;
    }
    current = current[segment];
  }
  return current;
}

// Only plain mappings: YAML's !!set and !!omap load as a Set and a Map, which hold no settings.
function isTree(value: unknown): value is Tree {
  return typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function displayPath(filePath: string): string {
  const relative = path.relative(process.cwd(), filePath);
  return relative.startsWith("..") || path.isAbsolute(relative) ? filePath : relative;
}
