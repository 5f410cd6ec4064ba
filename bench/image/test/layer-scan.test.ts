import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pack } from "tar-stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { scanArchive, type ScanSettings } from "../layer-scan.ts";
import { secretMarkersOf } from "../secret-markers.ts";

interface TarFile {
  name: string;
  content?: string | Buffer;
}

async function tarOf(files: TarFile[]): Promise<Buffer> {
  const archive = pack();
  for (const file of files) {
    if (file.content === undefined) {
      archive.entry({ name: file.name, type: "directory" });
    } else {
      archive.entry({ name: file.name }, file.content);
    }
  }
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

// A `docker save` archive in the legacy layout (Docker 20.10): one folder per layer with its
// layer.tar, the config as <id>.json, and manifest.json last.
async function savedImageOf(layers: TarFile[][], history: string[]): Promise<Buffer> {
  const layerPaths = layers.map((_, index) => `layer${index}/layer.tar`);
  const config = { config: { User: "node" }, history: history.map((createdBy) => ({ created_by: createdBy })) };
  const files: TarFile[] = [];
  for (const [index, layer] of layers.entries()) {
    files.push({ name: `layer${index}/` }, { name: layerPaths[index] ?? "", content: await tarOf(layer) });
  }
  files.push({ name: "config.json", content: JSON.stringify(config) });
  files.push({ name: "manifest.json", content: JSON.stringify([{ Config: "config.json", Layers: layerPaths }]) });
  return tarOf(files);
}

let folder: string;
let proxyCa: string;
let settings: ScanSettings;

beforeEach(async () => {
  folder = await mkdtemp(path.join(tmpdir(), "zero2prod-layer-scan-test-"));
  proxyCa = await readFile(path.join(import.meta.dirname, "fixtures", "test-proxy-ca.pem"), "utf8");
  settings = {
    baseLayerCount: 1,
    markers: secretMarkersOf(Buffer.from(proxyCa)),
    packages: { devTools: new Set(["esbuild"]), infra: new Set() },
  };
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function scan(layers: TarFile[][], history: string[]) {
  const archiveFile = path.join(folder, "image.tar");
  await writeFile(archiveFile, await savedImageOf(layers, history));
  return scanArchive(archiveFile, settings);
}

const baseLayer: TarFile[] = [
  { name: "usr/" },
  { name: "usr/local/lib/node_modules/npm/docs/npmrc.md", content: "//registry.npmjs.org/:_authToken=MYTOKEN\n" },
  { name: "usr/local/lib/node_modules/npm/node_modules/archy/test/beep.js", content: "test()\n" },
];
const cleanProjectLayer: TarFile[] = [
  { name: "app/" },
  { name: "app/dist/server.js", content: "console.log('listening')\n" },
];

describe("scanArchive", () => {
  it("lists every layer in manifest order with its history entry", async () => {
    const result = await scan([baseLayer, cleanProjectLayer], ["debootstrap", "COPY dist"]);

    expect(result.layers.map((layer) => layer.scope)).toEqual(["base", "project"]);
    expect(result.layers[1]?.createdBy).toBe("COPY dist");
    expect(result.layers[1]?.paths).toEqual(["app/dist/server.js"]);
    expect(result.layers[0]?.entryCount).toBe(3);
  });

  it("finds nothing in a clean image, whatever npm's own files say", async () => {
    const result = await scan([baseLayer, cleanProjectLayer], ["debootstrap", "COPY dist"]);

    expect(result.findings).toEqual([]);
  });

  it("finds leaks in the project's layer", async () => {
    const leakyLayer: TarFile[] = [
      { name: "app/.npmrc", content: "//registry.npmjs.org/:_authToken=npm_abc\n" },
      { name: "app/node_modules/esbuild/package.json", content: "{}" },
      { name: "app/test/app.test.ts", content: "it()\n" },
      { name: "app/ca.pem", content: proxyCa },
    ];

    const result = await scan([baseLayer, leakyLayer], ["debootstrap", "COPY . ."]);

    const found = result.findings.map((finding) => `${finding.path}: ${finding.problem}`);
    expect(found).toContain("app/.npmrc: npm configuration file (.npmrc), which may contain a registry token");
    expect(found).toContain("app/.npmrc: npm registry token (_authToken=...)");
    expect(found).toContain("app/node_modules/esbuild/package.json: node_modules of the dev tool esbuild");
    expect(found).toContain("app/test/app.test.ts: test file");
    expect(found).toContain("app/ca.pem: copy of the npm_ca build secret");
    expect(result.findings.every((finding) => finding.where === "layer 1 (project)")).toBe(true);
  });

  it("finds a secret in a base layer and in the history", async () => {
    const layerWithSecret: TarFile[] = [{ name: "run/secrets/npm_ca", content: proxyCa }];

    const result = await scan([layerWithSecret, cleanProjectLayer], ["RUN cat /run/secrets/npm_ca", "COPY dist"]);

    const found = result.findings.map((finding) => `${finding.where}: ${finding.problem}`);
    expect(found).toContain("layer 0 (base): file under /run/secrets, where BuildKit mounts build secrets");
    expect(found).toContain("layer 0 (base): copy of the npm_ca build secret");
    expect(found).toContain("history and config: path under /run/secrets, where BuildKit mounts build secrets");
  });
});
