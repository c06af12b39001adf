/**
 * Creates a new embedded (PGlite) database in the folder given as argument, then exits. Run as a child
 * process by ./pglite-blank.ts: PostgreSQL's initdb leaves hundreds of MB of WebAssembly memory that a
 * process never gets back, so a long-lived process lets a short-lived one create the folder.
 */
import { PGlite } from "@electric-sql/pglite";

async function main(): Promise<void> {
  const lite = new PGlite(process.argv[2]);
  await lite.waitReady;
  await lite.close();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
