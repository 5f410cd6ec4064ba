import path from "node:path";
import { fileURLToPath } from "node:url";

// Absolute, because Pulumi may run the program from the folder of `main` (infra/) and not from
// the folder of Pulumi.yaml.
// NOTE: the build context is this path, so the image's inputs change, and the image is rebuilt,
// when the same stack runs from a checkout at another path.
export const repositoryRoot = path.resolve(fileURLToPath(new URL("..", import.meta.url)));
export const configurationDirectory = path.join(repositoryRoot, "configuration");
