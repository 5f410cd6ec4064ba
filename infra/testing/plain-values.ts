import * as pulumi from "@pulumi/pulumi";

export interface PlainValues {
  values: Record<string, unknown>;
  // Paths of the values that were secrets, such as "registries[0].password".
  secretPaths: string[];
}

// Converts properties in the engine's wire form (the JavaScript view of a protobuf Struct) into
// plain JSON. Secrets are unwrapped and their paths listed. A resource reference becomes its id
// (or its URN for a component), and an asset or archive becomes its path, text or URI.
export function toPlainValues(serialized: Record<string, unknown>): PlainValues {
  const secretPaths: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(serialized)) {
    values[key] = toPlain(value, key, secretPaths);
  }
  return { values, secretPaths };
}

function toPlain(value: unknown, path: string, secretPaths: string[]): unknown {
  if (value === pulumi.runtime.unknownValue) {
    return "[unknown]";
  }
  if (Array.isArray(value)) {
    return value.map((item, index) => toPlain(item, `${path}[${index}]`, secretPaths));
  }
  if (typeof value !== "object" || value === null) {
    return value;
  }

  const object = value as Record<string, unknown>;
  switch (object[pulumi.runtime.specialSigKey]) {
    case pulumi.runtime.specialSecretSig:
      secretPaths.push(path);
      return toPlain(object.value, path, secretPaths);
    case pulumi.runtime.specialOutputValueSig:
      if (object.secret === true) {
        secretPaths.push(path);
      }
      return object.value === undefined ? "[unknown]" : toPlain(object.value, path, secretPaths);
    case pulumi.runtime.specialResourceSig:
      return typeof object.id === "string" && object.id !== "" ? object.id : object.urn;
    case pulumi.runtime.specialAssetSig:
    case pulumi.runtime.specialArchiveSig:
      return object.path ?? object.text ?? object.uri ?? toPlain(object.assets, `${path}.assets`, secretPaths);
    default:
      break;
  }

  const plain: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(object)) {
    plain[key] = toPlain(child, `${path}.${key}`, secretPaths);
  }
  return plain;
}
