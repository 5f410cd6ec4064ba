// Rules for what the layer scan reports, in two scopes. A base image legitimately carries files
// that would be findings in the project's own layers. For example, node's base image contains
// npm, whose documentation has `_authToken=` examples and whose bundled packages have test/
// folders. So secrets (env files, npm configuration, the build secret) are looked for in every
// layer, and project content (tokens in files, tests, infra, dev tools) only in the layers
// the project adds.
import { createHash } from "node:crypto";
import path from "node:path";
import type { CertificateMarker, SecretMarkers } from "./secret-markers.ts";

export type LayerScope = "base" | "project";

export interface PackageSets {
  // Packages that only development needs: the lockfile's "dev" entries.
  devTools: ReadonlySet<string>;
  // Packages the infra workspace depends on and the app does not.
  infra: ReadonlySet<string>;
}

const testFolders = new Set(["test", "tests", "__tests__"]);
const testFilePattern = /\.(test|spec)\.[cm]?[jt]sx?$|^vitest\.config\./;
// The repository's folders of deployment, CI and tooling, which never belong in the image.
// NOTE: packages that a runtime stage installs with apt-get bring their own test/ or scripts/
// folders into the project's layers, and these rules report them too.
const infraFolders = new Set(["infra", "e2e", ".pulumi", ".github", ".ci", "scripts", "tools", "bench", ".git"]);
const pulumiFilePattern = /^Pulumi(\.[^.]+)?\.ya?ml$/;
const authTokenPattern = /_authToken\s*=\s*\S/;
const secretsFolder = "/run/secrets";

// Returns why a file path is a finding, or an empty list. `entryPath` is a layer's tar entry
// name, such as "app/dist/server.js" or "./root/.npmrc".
export function findPathProblems(entryPath: string, scope: LayerScope, packages: PackageSets): string[] {
  const normalized = normalizeEntryPath(entryPath);
  const segments = normalized.split("/").filter((segment) => segment !== "");
  const name = segments.at(-1) ?? "";
  const problems: string[] = [];

  if (name === ".env" || name.startsWith(".env.")) {
    problems.push("env file");
  }
  if (name === ".npmrc") {
    problems.push("npm configuration file (.npmrc), which may contain a registry token");
  }
  if (normalized.startsWith(`${secretsFolder.slice(1)}/`)) {
    problems.push(`file under ${secretsFolder}, where BuildKit mounts build secrets`);
  }
  if (scope === "base") {
    return problems;
  }

  for (const packageName of packagesInPath(segments)) {
    if (packages.devTools.has(packageName)) {
      problems.push(`node_modules of the dev tool ${packageName}`);
    } else if (packages.infra.has(packageName)) {
      problems.push(`node_modules of the infra package ${packageName}`);
    }
  }
  // Folders inside node_modules belong to packages and are judged by the rules above.
  const ownSegments = segments.includes("node_modules") ? [] : segments;
  if (ownSegments.some((segment) => testFolders.has(segment)) || (ownSegments.length > 0 && testFilePattern.test(name))) {
    problems.push("test file");
  }
  if (ownSegments.some((segment) => infraFolders.has(segment)) || (ownSegments.length > 0 && pulumiFilePattern.test(name))) {
    problems.push("infra or tooling file");
  }
  return problems;
}

// Returns why a regular file's content is a finding, or an empty list.
export function findContentProblems(content: Buffer, scope: LayerScope, markers: SecretMarkers): string[] {
  const problems: string[] = [];
  const isBundleCopy =
    markers.bundleSha256 !== undefined &&
    content.length === markers.bundleLength &&
    createHash("sha256").update(content).digest("hex") === markers.bundleSha256;
  if (isBundleCopy) {
    problems.push("copy of the npm_ca build secret");
  } else {
    const found = markers.certificates.filter((certificate) => content.includes(certificate.pemLine) || content.includes(certificate.derSlice));
    problems.push(...describeCertificates(found));
  }
  if (scope === "project") {
    problems.push(...findSecretTextProblems(content.toString("latin1")));
  }
  return problems;
}

// Returns why the image's history and config, as JSON text, are a finding.
export function findMetadataProblems(text: string, markers: SecretMarkers): string[] {
  const problems = findSecretTextProblems(text);
  if (text.includes("NODE_EXTRA_CA_CERTS")) {
    problems.push("NODE_EXTRA_CA_CERTS, the variable the build points at the npm_ca secret");
  }
  problems.push(...describeCertificates(markers.certificates.filter((certificate) => text.includes(certificate.pemLine.toString("latin1")))));
  return problems;
}

// One problem for all the secret's certificates found in one file.
function describeCertificates(found: CertificateMarker[]): string[] {
  if (found.length === 0) {
    return [];
  }
  const subjects = found.map((certificate) => `"${certificate.subject}"`).join(", ");
  return [`${found.length === 1 ? "certificate" : `${found.length} certificates`} from the npm_ca build secret: ${subjects}`];
}

function findSecretTextProblems(text: string): string[] {
  const problems: string[] = [];
  if (authTokenPattern.test(text)) {
    problems.push("npm registry token (_authToken=...)");
  }
  if (text.includes(secretsFolder)) {
    problems.push(`path under ${secretsFolder}, where BuildKit mounts build secrets`);
  }
  return problems;
}

export function normalizeEntryPath(entryPath: string): string {
  return path.posix.normalize(`/${entryPath}`).slice(1);
}

// The package names a path goes through: "node_modules/@types/pg/index.d.ts" gives
// "@types/pg", and nested node_modules folders give one name each.
function packagesInPath(segments: string[]): string[] {
  const names: string[] = [];
  segments.forEach((segment, index) => {
    if (segment !== "node_modules") {
      return;
    }
    const first = segments[index + 1];
    const second = segments[index + 2];
    if (first === undefined) {
      return;
    }
    if (first.startsWith("@")) {
      if (second !== undefined) {
        names.push(`${first}/${second}`);
      }
      return;
    }
    names.push(first);
  });
  return names;
}
