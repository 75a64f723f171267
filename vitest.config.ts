import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "dist/**"],
    // Tests that start servers or child processes need more than the default 5 s on a busy 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Most end-to-end files spend their time waiting on an emulator's clock or a child process, not on
    // a core: three files at once on two cores halves the suite's wall time without starving any of them.
    maxWorkers: 3,
  },
});
