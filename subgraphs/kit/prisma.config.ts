// Prisma CLI configuration: runs the CLI's schema engine as WebAssembly against an
// in-memory PGlite, so `prisma migrate diff` needs no native engine download.
import { defineConfig } from "prisma/config";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  async adapter() {
    // pglite-prisma-adapter is typed against an older driver-adapter-utils; the runtime contract is the same.
    return new PrismaPGlite(new PGlite()) as never;
  },
});
