import { defineConfig } from "vitest/config";

// The image benchmark's own tests, offline: parsing, scan rules and a synthetic `docker save`
// archive. Run with `npx vitest run --root bench/image`.
export default defineConfig({
  test: {
    name: "bench-image",
    root: import.meta.dirname,
    include: ["test/**/*.test.ts"],
  },
});
