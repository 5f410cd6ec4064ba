import { defineConfig } from "vitest/config";

// The end-to-end check needs a Docker engine and the base images (see scripts/docker/), so it
// runs on its own with `npm run e2e` and not in `npm test`.
export default defineConfig({
  test: {
    name: "e2e",
    root: import.meta.dirname,
    include: ["**/*.test.ts"],
    // The first image build installs packages from the registry: about a minute on 2 cores.
    hookTimeout: 10 * 60_000,
    testTimeout: 60_000,
  },
});
