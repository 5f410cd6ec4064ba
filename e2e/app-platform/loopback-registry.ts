import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

// The manifest types a registry may store for a pushed image. The digest a registry reports
// depends on the type it serves, so every type is accepted, as a pull would.
const manifestTypes = [
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.oci.image.index.v1+json",
].join(", ");

const requestTimeoutMs = 5_000;

// The registry on a loopback address used in place of DOCR. scripts/docker/registry.sh serves
// Debian's docker-registry there (REGISTRY_ADDRESS, 127.0.0.1:5000 by default).
export class LoopbackRegistry {
  readonly address: string;
  private readonly script: string;
  private readonly startedByThisRun: boolean;

  private constructor(address: string, script: string, startedByThisRun: boolean) {
    this.address = address;
    this.script = script;
    this.startedByThisRun = startedByThisRun;
  }

  // Uses the registry that responds on the address, or starts one with the script.
  static async connect(projectRoot: string): Promise<LoopbackRegistry> {
    const address = process.env.REGISTRY_ADDRESS ?? "127.0.0.1:5000";
    const script = path.join(projectRoot, "scripts", "docker", "registry.sh");
    if (await responds(address)) {
      return new LoopbackRegistry(address, script, false);
    }
    await runScript(script, "start");
    return new LoopbackRegistry(address, script, true);
  }

  // Returns the digest the registry reports for repository:tag, as App Platform would pull it.
  async manifestDigest(repository: string, tag: string): Promise<string> {
    const url = `http://${this.address}/v2/${repository}/manifests/${encodeURIComponent(tag)}`;
    const response = await fetch(url, { method: "HEAD", headers: { accept: manifestTypes }, signal: AbortSignal.timeout(requestTimeoutMs) });
    const digest = response.headers.get("docker-content-digest");
    if (!response.ok || digest === null) {
      throw new Error(`The registry at ${this.address} returned ${response.status} without a digest for ${repository}:${tag}. Check that the push completed.`);
    }
    return digest;
  }

  // Deletes the manifest, and so every tag of it. The blobs stay until the registry's garbage
  // collection runs. Succeeds when the manifest is already gone.
  async deleteManifest(repository: string, digest: string): Promise<void> {
    const url = `http://${this.address}/v2/${repository}/manifests/${digest}`;
    const response = await fetch(url, { method: "DELETE", signal: AbortSignal.timeout(requestTimeoutMs) });
    if (!response.ok && response.status !== 404) {
      throw new Error(`The registry at ${this.address} returned ${response.status} when deleting ${repository}@${digest}`);
    }
  }

  // Stops the registry only when this run started it: another run may still use one it found.
  async stopIfStarted(): Promise<void> {
    if (this.startedByThisRun) {
      await runScript(this.script, "stop");
    }
  }
}

async function responds(address: string): Promise<boolean> {
  try {
    const response = await fetch(`http://${address}/v2/`, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}

async function runScript(script: string, command: "start" | "stop"): Promise<void> {
  try {
    await execFileAsync("bash", [script, command]);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`\`${script} ${command}\` failed: ${(error as Error).message}\n${stderr}`.trimEnd());
  }
}
