import path from "node:path";
import { fileURLToPath } from "node:url";

// Absolute, because Pulumi may run the program from the folder of `main` (infra/) and not from
// the folder of Pulumi.yaml.
export const repositoryRoot = path.resolve(fileURLToPath(new URL("..", import.meta.url)));
export const configurationDirectory = path.join(repositoryRoot, "configuration");
