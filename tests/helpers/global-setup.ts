/** Builds the seeded PGlite fixtures once, before parallel test workers would race to build them. */
import { fixtureDir } from "./fixtures";

export default async function globalSetup(): Promise<void> {
  await fixtureDir(3000);
  await fixtureDir(10_000);
}
