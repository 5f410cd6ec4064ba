import type { CapturedResource } from "../infra/testing/capture.ts";
import { fakeResource } from "../infra/testing/fake-outputs.ts";

// Declared or faked value (a name, a tag, a mocked output) mapped to the value this run uses.
export type ValueMap = Map<string, string>;

// Maps each value the capture reported for `resource` (its inputs, or the outputs the mocks
// gave it, id included) to the value this run produced under the same key. Arrays pair up
// element by element.
export function mapRunValues(resource: CapturedResource, runValues: Record<string, unknown>): ValueMap {
  const fake = fakeResource({ type: resource.type, name: resource.name, inputs: resource.inputs, provider: "", id: "", custom: true });
  const captured: Record<string, unknown> = { ...fake.state, id: fake.id };
  const map: ValueMap = new Map();
  for (const [key, runValue] of Object.entries(runValues)) {
    pairValues(captured[key], runValue, map);
  }
  return map;
}

// Returns the resource's inputs with every value that came from a dependency replaced by the
// dependency's run value. For "KEY=VALUE" strings (container envs) the VALUE part is replaced.
// Fails when two dependencies map one value differently, or when an input still contains a mocked
// value that this check cannot map, so nothing silently keeps a fake.
export function resolveInputs(resource: CapturedResource, valuesByResource: Map<string, ValueMap>): Record<string, unknown> {
  const map: ValueMap = new Map();
  for (const dependency of resource.dependsOn) {
    for (const [captured, run] of valuesByResource.get(dependency) ?? []) {
      const existing = map.get(captured);
      if (existing !== undefined && existing !== run) {
        throw new Error(
          `${resource.name}: the value ${JSON.stringify(captured)} comes from more than one dependency with different run values; the end-to-end check cannot tell which one the program means`,
        );
      }
      map.set(captured, run);
    }
  }

  const unresolved: string[] = [];
  const resolved = replaceValues(resource.inputs, map, "inputs", unresolved) as Record<string, unknown>;
  if (unresolved.length > 0) {
    throw new Error(
      `${resource.name}: ${unresolved.join(", ")} still contains a value the capture faked; e2e/declared-values.ts maps whole values and "KEY=VALUE" values only, so map this one there`,
    );
  }
  return resolved;
}

function pairValues(captured: unknown, run: unknown, map: ValueMap): void {
  if (typeof captured === "string" && typeof run === "string") {
    map.set(captured, run);
  } else if (typeof captured === "number" && typeof run === "string") {
    map.set(String(captured), run);
  } else if (Array.isArray(captured) && Array.isArray(run) && captured.length === run.length) {
    captured.forEach((item, index) => {
      pairValues(item, run[index], map);
    });
  }
}

// Replaces mapped values, and lists in `unresolved` the path of each string left unmapped that
// is "[unknown]" or contains a mapped value. Mapped values under 8 characters are not searched
// for inside other strings, because such short values also occur by chance.
function replaceValues(value: unknown, map: ValueMap, path: string, unresolved: string[]): unknown {
  if (typeof value === "string") {
    const replaced = replaceString(value, map);
    const stale = replaced === undefined && [...map.keys()].some((captured) => captured.length >= 8 && value.includes(captured));
    if (value === "[unknown]" || stale) {
      unresolved.push(path);
    }
    return replaced ?? value;
  }
  if (Array.isArray(value)) {
    return value.map((item, index) => replaceValues(item, map, `${path}[${index}]`, unresolved));
  }
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, replaceValues(child, map, `${path}.${key}`, unresolved)]));
  }
  return value;
}

// Returns the mapped value, or undefined when neither the whole string nor its "KEY=VALUE"
// value part is mapped.
function replaceString(value: string, map: ValueMap): string | undefined {
  const whole = map.get(value);
  if (whole !== undefined) {
    return whole;
  }
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(value);
  const assigned = match === null ? undefined : map.get(match[2] ?? "");
  return match === null || assigned === undefined ? undefined : `${match[1]}=${assigned}`;
}
