import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "tools",
    include: ["**/*.test.ts"],
    // The render tests evaluate the Pulumi program in child processes, a few seconds each.
    testTimeout: 60_000,
  },
});
