import { parse, parseDocument, stringify } from "yaml";
import { isReviewStackName } from "./stack-name.ts";

export const templatePath = "tools/review-stack/review.yaml";

type ConfigValue = unknown;

// Builds the stack file of a review stack: the `config` of Pulumi.production.yaml with the
// template's values applied (null removes a key). Only `config` is copied, because the secrets
// provider and encryption salt of a stack file belong to that one stack. An encrypted
// (`secure:`) production value cannot be decrypted by another stack, so it must be set or
// removed in the template, and the build fails until it is.
export function buildReviewStackFile(productionFile: string, templateFile: string, stack: string): string {
  if (!isReviewStackName(stack) || stack.includes("/")) {
    throw new Error(`Invalid review stack name ${JSON.stringify(stack)}: review stacks are named pr-<pull request number>`);
  }

  const production = readConfig(productionFile, "Pulumi.production.yaml");
  const template = readTemplate(templateFile);

  const config = new Map<string, ConfigValue>(Object.entries(production));
  for (const [key, value] of Object.entries(template)) {
    if (value === null) {
      config.delete(key);
    } else {
      config.set(key, value);
    }
  }

  const encrypted = [...config.entries()].filter(([, value]) => isSecure(value)).map(([key]) => key);
  if (encrypted.length > 0) {
    throw new Error(
      `Pulumi.production.yaml has encrypted values that stack ${stack} cannot decrypt: ${encrypted.join(", ")}. Set each one, or remove it with null, under config in ${templatePath}`,
    );
  }

  // Code-unit order, so the file is the same on every machine whatever its locale.
  const sorted = Object.fromEntries([...config.entries()].sort(([left], [right]) => (left < right ? -1 : 1)));
  const header = [
    `# Stack ${stack}: generated from Pulumi.production.yaml and ${templatePath}.`,
    "# Do not edit or commit; tools/review-stack/write-stack-config.ts writes it again on every run.",
  ].join("\n");
  return `${header}\n${stringify({ config: sorted }, { lineWidth: 0 })}`;
}

function readConfig(text: string, source: string): Record<string, ConfigValue> {
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new Error(`Failed to parse ${source}: ${document.errors[0]?.message}`);
  }
  const config = (document.toJS() as { config?: unknown } | null)?.config ?? {};
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new Error(`Invalid ${source}: config must be a mapping of keys to values`);
  }
  return config as Record<string, ConfigValue>;
}

// Values keep their YAML types, as in Pulumi.production.yaml, because the Pulumi CLI checks
// stack values against the types that Pulumi.yaml declares.
function readTemplate(text: string): Record<string, ConfigValue> {
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new Error(`Failed to parse ${templatePath}: ${document.errors[0]?.message}`);
  }
  const config = (document.toJS() as { config?: unknown } | null)?.config;
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new Error(`Invalid ${templatePath}: it needs a config mapping`);
  }

  for (const key of Object.keys(config)) {
    if (!key.includes(":")) {
      throw new Error(`Invalid key ${JSON.stringify(key)} in ${templatePath}: give the namespace, as in zero2prod:${key}`);
    }
  }
  return config as Record<string, ConfigValue>;
}

function isSecure(value: ConfigValue): boolean {
  return typeof value === "object" && value !== null && "secure" in value;
}

// Returns the config values of a stack file as a plain object, for tests and checks.
export function readStackFileConfig(text: string): Record<string, ConfigValue> {
  return ((parse(text) as { config?: Record<string, ConfigValue> } | null)?.config ?? {}) as Record<string, ConfigValue>;
}
