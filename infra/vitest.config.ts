import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "infra",
    include: ["test/**/*.test.ts"],
    // A capture runs the whole program under Pulumi's mocks, about a second on 2 cores.
    testTimeout: 20_000,
  },
});
