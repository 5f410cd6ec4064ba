import { readFile } from "node:fs/promises";
import path from "node:path";
import type { PackageSets } from "./scan-rules.ts";

interface Lockfile {
  packages?: Record<string, { dev?: boolean; devOptional?: boolean }>;
}

interface Manifest {
  dependencies?: Record<string, string>;
}

// Reads which packages count as dev tools and which as infra from the repository's lockfile
// and the app and infra workspace manifests.
export async function readPackageSets(repositoryRoot: string): Promise<PackageSets> {
  const lockfile = JSON.parse(await readFile(path.join(repositoryRoot, "package-lock.json"), "utf8")) as Lockfile;
  const app = await readManifest(repositoryRoot, "app");
  const infra = await readManifest(repositoryRoot, "infra");
  const appDependencies = new Set(Object.keys(app.dependencies ?? {}));

  // npm marks "dev" the packages that only devDependencies, direct or transitive, need.
  const devTools = new Set<string>();
  for (const [location, entry] of Object.entries(lockfile.packages ?? {})) {
    if (entry.dev === true || entry.devOptional === true) {
      devTools.add(packageNameOf(location));
    }
  }
  const infraPackages = Object.keys(infra.dependencies ?? {}).filter((name) => !appDependencies.has(name));
  return { devTools, infra: new Set(infraPackages) };
}

async function readManifest(repositoryRoot: string, workspace: string): Promise<Manifest> {
  return JSON.parse(await readFile(path.join(repositoryRoot, workspace, "package.json"), "utf8")) as Manifest;
}

// "node_modules/vitest/node_modules/es-module-lexer" gives "es-module-lexer".
function packageNameOf(location: string): string {
  const marker = "node_modules/";
  return location.slice(location.lastIndexOf(marker) + marker.length);
}
