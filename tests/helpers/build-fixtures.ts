/** Builds the seeded PGlite fixtures the integration tests copy (run by global-setup in its own process). */
import { fixtureDir } from "./fixtures";

async function main() {
  await fixtureDir(3000);
  await fixtureDir(10_000);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
