import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "app",
    include: ["test/**/*.test.ts"],
    // Starts one PostgreSQL for the whole run; each test app gets its own database.
    globalSetup: ["./test/support/global-setup.ts"],
    // Child processes (server, migrate, bundle) take a few seconds on 2 cores.
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
