// Hides secret values in a captured resource before it is printed.
export const secretPlaceholder = "[secret]";

type Json = unknown;
type Segment = string | number;

// Replaces the value at each path ("spec.envs[0].value", as captureStack reports secretPaths)
// with [secret]. When a path does not resolve, for example because a key contains a dot, the
// deepest value it does reach is replaced, so a secret is never shown by mistake.
export function maskSecretPaths(root: Record<string, Json>, paths: readonly string[]): Record<string, Json> {
  let masked: Record<string, Json> = structuredClone(root);
  for (const secretPath of paths) {
    masked = replaceAt(masked, parsePath(secretPath)) as Record<string, Json>;
  }
  return masked;
}

function parsePath(secretPath: string): Segment[] {
  const segments: Segment[] = [];
  for (const match of secretPath.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    segments.push(match[2] === undefined ? (match[1] as string) : Number(match[2]));
  }
  return segments;
}

function replaceAt(value: Json, segments: Segment[]): Json {
  const [head, ...rest] = segments;
  if (head === undefined) {
    return secretPlaceholder;
  }
  if (Array.isArray(value) && typeof head === "number" && head < value.length) {
    const copy = [...value];
    copy[head] = replaceAt(copy[head], rest);
    return copy;
  }
  if (isObject(value) && typeof head === "string" && Object.hasOwn(value, head)) {
    return { ...value, [head]: replaceAt(value[head], rest) };
  }
  return secretPlaceholder;
}

// Words that mark a key as naming a credential, after splitting camelCase, snake_case,
// kebab-case and dotted names.
const sensitiveWords = new Set([
  "password",
  "passwd",
  "passphrase",
  "secret",
  "secrets",
  "token",
  "tokens",
  "credential",
  "credentials",
  "apikey",
  "privatekey",
]);
const sensitivePairs = ["private key", "api key", "access key", "secret key", "signing key", "client secret", "auth header"];

// Returns whether a key such as "dbPassword", "DIGITALOCEAN_TOKEN" or "docker-credentials"
// names a credential.
export function isSensitiveName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== "");
  if (words.some((word) => sensitiveWords.has(word))) {
    return true;
  }
  const joined = ` ${words.join(" ")} `;
  return sensitivePairs.some((pair) => joined.includes(` ${pair} `));
}

// A URL with a password in it, such as postgresql://user:password@host/db.
const urlWithPassword = /[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i;
// An App Platform bindable reference such as ${db.PASSWORD} names a value and contains none.
const bindableReference = /^\$\{[A-Za-z0-9_.-]+\}$/;

// The second line of defence after secretPaths, which replaces values with [secret]. It hides
// every value under a key that names a credential and every string with a password in a URL.
// It also hides the `value` of an environment entry whose `type` is SECRET or whose `key` or
// `name` names a credential.
export function maskSensitiveValues(value: Json): Json {
  if (Array.isArray(value)) {
    return value.map(maskSensitiveValues);
  }
  if (typeof value === "string") {
    return urlWithPassword.test(value) ? secretPlaceholder : value;
  }
  if (!isObject(value)) {
    return value;
  }

  const entryNames = [value.key, value.name].filter((name): name is string => typeof name === "string");
  const secretEntry = value.type === "SECRET" || entryNames.some(isSensitiveName);

  const masked: Record<string, Json> = {};
  for (const [key, child] of Object.entries(value)) {
    const hideChild = isSensitiveName(key) || (secretEntry && key === "value");
    masked[key] = hideChild && !isHarmless(child) ? secretPlaceholder : maskSensitiveValues(child);
  }
  return masked;
}

// Values that cannot carry a secret and are worth showing: booleans, numbers, empty values and
// bindable references. Flags like `passwordEnabled: true` stay readable.
function isHarmless(value: Json): boolean {
  if (value === null || value === undefined || typeof value === "boolean" || typeof value === "number") {
    return true;
  }
  return typeof value === "string" && (value === "" || value === secretPlaceholder || bindableReference.test(value));
}

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
