import { runDocker } from "../../e2e/docker-engine.ts";

export interface ImageUser {
  // The image config's USER, or "" when the image sets none (root).
  configured: string;
  // The user IDs of the processes in a container of the image, as the host reports them.
  processUids: number[];
  isRoot: boolean;
}

// Reads USER from the image config, and the user IDs of a running container's processes,
// because a name such as "node" could still map to user ID 0 in the image's /etc/passwd.
// `docker top` runs ps on the host, so this works for images without a shell or ps.
export async function readImageUser(image: string, runningContainer: string): Promise<ImageUser> {
  const configured = (await runDocker(["image", "inspect", "--format", "{{.Config.User}}", image])).trim();
  const processUids = await readProcessUids(runningContainer);
  return { configured, processUids, isRoot: processUids.includes(0) };
}

async function readProcessUids(container: string): Promise<number[]> {
  // docker top requires the pid column in its ps output.
  const output = await runDocker(["top", container, "-o", "pid,uid"]);
  const rows = output.trim().split("\n").slice(1);
  const uids = rows.map((line) => Number(line.trim().split(/\s+/)[1]));
  if (uids.length === 0 || uids.some((uid) => !Number.isInteger(uid))) {
    throw new Error(`Failed to read the user IDs of the processes in ${container} from docker top: ${JSON.stringify(output)}`);
  }
  return uids;
}
