import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";

export interface StackConfig {
  project: string;
  // Fully qualified keys ("zero2prod:region", "digitalocean:token") to values as the CLI passes them.
  values: Record<string, string>;
  secretKeys: string[];
}

export interface StackConfigOptions {
  // A stack file to read instead of Pulumi.<stack>.yaml, relative to the repository root.
  configFile?: string;
  // Values set after the files. A key without a namespace belongs to the project.
  extraConfig?: Record<string, string>;
}

type Tree = Record<string, unknown>;

// Builds the configuration the Pulumi CLI would hand the program: the project defaults from
// Pulumi.yaml, then the stack file, then extraConfig. Encrypted values cannot be decrypted
// here, so each becomes a fixed stand-in and is flagged as secret.
export function readStackConfig(root: string, stack: string, options: StackConfigOptions = {}): StackConfig {
  const projectFile = readYaml(path.join(root, "Pulumi.yaml"));
  const project = String(projectFile.name);
  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  const qualify = (key: string) => (key.includes(":") ? key : `${project}:${key}`);

  for (const [key, declaration] of Object.entries(asTree(projectFile.config))) {
    const value = isTree(declaration) ? (declaration.default ?? declaration.value) : declaration;
    if (value !== undefined) {
      values[qualify(key)] = toConfigString(value);
    }
  }

  const stackFile = readYaml(path.resolve(root, options.configFile ?? `Pulumi.${stack}.yaml`));
  for (const [key, value] of Object.entries(asTree(stackFile.config))) {
    if (isTree(value) && typeof value.secure === "string") {
      values[qualify(key)] = `fake-secret-for-${qualify(key)}`;
      secretKeys.push(qualify(key));
    } else {
      values[qualify(key)] = toConfigString(value);
    }
  }

  for (const [key, value] of Object.entries(options.extraConfig ?? {})) {
    values[qualify(key)] = value;
  }
  return { project, values, secretKeys };
}

function readYaml(filePath: string): Tree {
  if (!existsSync(filePath)) {
    throw new Error(`Failed to read ${filePath}: the file does not exist`);
  }
  try {
    return asTree(parse(readFileSync(filePath, "utf8")));
  } catch (error) {
    throw new Error(`${filePath} is not valid YAML: ${(error as Error).message.split("\n")[0]?.replace(/:$/, "")}`);
  }
}

// The CLI passes strings as they are and every other value as JSON.
function toConfigString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function asTree(value: unknown): Tree {
  return isTree(value) ? value : {};
}

function isTree(value: unknown): value is Tree {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
