import { existsSync, readdirSync } from "node:fs";
import path from "node:path";

// Returns the absolute paths of the workflow files (.yml and .yaml) in <root>/.github/workflows,
// sorted by name.
export function listWorkflowFiles(root: string): string[] {
  const folder = path.join(root, ".github/workflows");
  if (!existsSync(folder)) {
    return [];
  }
  return readdirSync(folder)
    .filter((name) => name.endsWith(".yml") || name.endsWith(".yaml"))
    .sort()
    .map((name) => path.join(folder, name));
}
