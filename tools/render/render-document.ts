import { stringify } from "yaml";
import type { CapturedResource, CapturedStack } from "../../infra/testing/capture.ts";
import { maskSecretPaths, maskSensitiveValues } from "./mask-secrets.ts";

// Formats a captured stack as YAML that is the same, byte for byte, for the same program and
// config: resources sorted by type, name and parent, map keys sorted at every depth, and no
// timestamps. Secrets show as [secret]. Paths under `root` (the checkout the program ran from,
// as in a Docker build context) are shown relative to it, so checkouts in different folders
// render alike.
export function renderDocument(stack: string, captured: CapturedStack, root: string): string {
  const relative = (value: unknown) => relativePaths(value, root.replace(/\/+$/, ""));
  const resources = captured.resources.map((resource) => renderResource(resource, relative)).sort(compareResources);
  const outputs = sortKeysDeep(relative(maskSensitiveValues(captured.outputs)));

  const header = [
    `# Desired state of stack ${stack}, evaluated offline under Pulumi mocks.`,
    "# Values that providers compute (ids, URLs, passwords) are stand-ins; secrets show as [secret].",
  ].join("\n");
  return `${header}\n${stringify({ stack, resources, outputs }, { lineWidth: 0 })}`;
}

interface RenderedResource {
  type: string;
  name: string;
  parent?: string;
  protect: boolean;
  retainOnDelete: boolean;
  dependsOn: string[];
  inputs: unknown;
}

// Keys of a resource come in a fixed reading order: what it is, then how it is managed, then
// its inputs.
function renderResource(resource: CapturedResource, relative: (value: unknown) => unknown): RenderedResource {
  const inputs = relative(maskSensitiveValues(maskSecretPaths(resource.inputs, resource.secretPaths ?? [])));
  return {
    type: resource.type,
    name: resource.name,
    ...(resource.parent === undefined ? {} : { parent: resource.parent }),
    protect: resource.protect,
    retainOnDelete: resource.retainOnDelete,
    dependsOn: [...resource.dependsOn].sort(compareText),
    inputs: sortKeysDeep(inputs),
  };
}

function compareResources(left: RenderedResource, right: RenderedResource): number {
  return (
    compareText(left.type, right.type) ||
    compareText(left.name, right.name) ||
    compareText(left.parent ?? "", right.parent ?? "")
  );
}

// Code-unit order, independent of the machine's locale.
function compareText(left: string, right: string): number {
  if (left === right) {
    return 0;
  }
  return left < right ? -1 : 1;
}

// Replaces `root` at the start of every string with ".", as in "./app/Dockerfile".
function relativePaths(value: unknown, root: string): unknown {
  if (typeof value === "string") {
    return value === root || value.startsWith(`${root}/`) ? `.${value.slice(root.length)}` : value;
  }
  if (Array.isArray(value)) {
    return value.map((item) => relativePaths(item, root));
  }
  if (typeof value !== "object" || value === null) {
    return value;
  }
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, relativePaths(child, root)]));
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeysDeep);
  }
  if (typeof value !== "object" || value === null) {
    return value;
  }
  const entries = Object.entries(value).sort(([left], [right]) => compareText(left, right));
  return Object.fromEntries(entries.map(([key, child]) => [key, sortKeysDeep(child)]));
}
