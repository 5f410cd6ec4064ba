import { spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import { extract, type Extract } from "tar-stream";
import { dockerCli } from "../../e2e/docker-engine.ts";
import { findContentProblems, findMetadataProblems, findPathProblems, normalizeEntryPath, type LayerScope, type PackageSets } from "./scan-rules.ts";
import type { SecretMarkers } from "./secret-markers.ts";

export interface LayerListing {
  // 0 for the lowest layer.
  index: number;
  scope: LayerScope;
  // The history entry that made the layer, such as "COPY configuration configuration/ # buildkit".
  createdBy: string;
  // Files, folders, links and whiteouts.
  entryCount: number;
  // Sum of the regular files' sizes.
  bytes: number;
  // The paths of every entry but folders for the project's layers; empty for the base's.
  paths: string[];
}

export interface Finding {
  // "layer 7 (project)" or "history and config".
  where: string;
  // The file path inside the layer; undefined for history and config.
  path: string | undefined;
  problem: string;
}

export interface LayerScan {
  layers: LayerListing[];
  findings: Finding[];
}

export interface ScanSettings {
  // How many of the lowest layers belong to the base image.
  baseLayerCount: number;
  markers: SecretMarkers;
  packages: PackageSets;
}

// The `docker save` archive's manifest.json entry, in both the legacy and the OCI layout.
interface SavedManifest {
  Config: string;
  Layers: string[];
}

// tar-stream's entry: a streamx Readable of the file's bytes with the tar header.
type TarEntry = Extract extends AsyncIterable<infer Entry> ? Entry : never;

// A Node.js or streamx readable stream of tar bytes.
interface TarSource {
  pipe(destination: Extract): unknown;
  once(event: "error", listener: (error: Error) => void): unknown;
}

interface ImageConfig {
  history?: { created_by?: string; empty_layer?: boolean }[];
}

// Saves the image to `archiveFile` with `docker save` and scans the archive.
export async function scanImage(image: string, archiveFile: string, settings: ScanSettings): Promise<LayerScan> {
  await saveImage(image, archiveFile);
  return scanArchive(archiveFile, settings);
}

// Reads a `docker save` archive twice: first its manifest and config, then every layer's
// files, each in the order of the manifest.
export async function scanArchive(archiveFile: string, settings: ScanSettings): Promise<LayerScan> {
  const { manifest, configText } = await readManifestAndConfig(archiveFile);
  const config = JSON.parse(configText) as ImageConfig;
  const layerHistory = (config.history ?? []).filter((entry) => entry.empty_layer !== true);

  // One archive path can stand for several layers with the same content.
  const indexesByPath = new Map<string, number[]>();
  manifest.Layers.forEach((layerPath, index) => {
    indexesByPath.set(layerPath, [...(indexesByPath.get(layerPath) ?? []), index]);
  });

  const layers: LayerListing[] = [];
  const findings: Finding[] = findMetadataProblems(configText, settings.markers).map((problem) => ({ where: "history and config", path: undefined, problem }));

  await forEachEntry(createReadStream(archiveFile), async (entry) => {
    const indexes = indexesByPath.get(normalizeEntryPath(entry.header.name));
    if (indexes === undefined) {
      entry.resume();
      return;
    }
    const scope: LayerScope = indexes.some((index) => index >= settings.baseLayerCount) ? "project" : "base";
    const listing = await scanLayer(entry, scope, settings, findings, `layer ${indexes.join(", ")} (${scope})`);
    for (const index of indexes) {
      layers.push({ ...listing, index, createdBy: layerHistory[index]?.created_by ?? "(no history entry)" });
    }
  });

  layers.sort((left, right) => left.index - right.index);
  if (layers.length !== manifest.Layers.length) {
    throw new Error(`Read ${layers.length} of the ${manifest.Layers.length} layers that manifest.json lists in ${archiveFile}`);
  }
  return { layers, findings };
}

async function scanLayer(
  layer: TarEntry,
  scope: LayerScope,
  settings: ScanSettings,
  findings: Finding[],
  where: string,
): Promise<Omit<LayerListing, "index" | "createdBy">> {
  const listing = { scope, entryCount: 0, bytes: 0, paths: [] as string[] };

  await forEachEntry(layer, async (entry) => {
    const entryPath = normalizeEntryPath(entry.header.name);
    const isFolder = entry.header.type === "directory";
    listing.entryCount += 1;
    if (scope === "project" && !isFolder) {
      listing.paths.push(entryPath);
    }
    // Folders are judged by the files in them.
    const problems = isFolder ? [] : findPathProblems(entryPath, scope, settings.packages);

    if (entry.header.type === "file" || entry.header.type === "contiguous-file") {
      const content = await readAll(entry);
      listing.bytes += content.length;
      problems.push(...findContentProblems(content, scope, settings.markers));
    } else {
      entry.resume();
    }
    for (const problem of problems) {
      findings.push({ where, path: entryPath, problem });
    }
  });
  return listing;
}

async function saveImage(image: string, archiveFile: string): Promise<void> {
  const child = spawn(dockerCli, ["save", "--output", archiveFile, image], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (exitCode !== 0) {
    throw new Error(`\`docker save ${image}\` exited with ${exitCode}: ${stderr.trim()}`);
  }
}

async function readManifestAndConfig(archiveFile: string): Promise<{ manifest: SavedManifest; configText: string }> {
  const texts = new Map<string, string>();
  await forEachEntry(createReadStream(archiveFile), async (entry) => {
    const name = normalizeEntryPath(entry.header.name);
    // Small files only, which include manifest.json and the config (<id>.json in the legacy
    // layout, a blob in the OCI layout). Base layers are larger.
    if (entry.header.type === "file" && (entry.header.size ?? 0) < 1_000_000) {
      texts.set(name, (await readAll(entry)).toString("utf8"));
    } else {
      entry.resume();
    }
  });

  const manifestText = texts.get("manifest.json");
  const [manifest] = manifestText === undefined ? [] : (JSON.parse(manifestText) as SavedManifest[]);
  if (manifest === undefined) {
    throw new Error(`No image manifest in ${archiveFile}: \`docker save\` wrote no manifest.json, or an empty one`);
  }
  const configText = texts.get(normalizeEntryPath(manifest.Config));
  if (configText === undefined) {
    throw new Error(`The image config ${manifest.Config} that manifest.json names is missing from ${archiveFile}`);
  }
  return { manifest, configText };
}

// Calls `visit` for every entry of a tar stream, one at a time. `visit` must read the entry
// to its end or resume it.
async function forEachEntry(input: TarSource, visit: (entry: TarEntry) => Promise<void>): Promise<void> {
  const entries = extract();
  input.once("error", (error) => entries.destroy(error));
  input.pipe(entries);
  for await (const entry of entries) {
    await visit(entry);
  }
}

// tar-stream yields Buffer chunks; its types declare them as unknown.
async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
