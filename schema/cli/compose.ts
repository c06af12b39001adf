/**
 * `npm run compose` writes schema/supergraph.graphql; `npm run compose -- --check` fails when the committed
 * file differs from a fresh composition (CI runs the check through the test suite).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { compose, SUPERGRAPH_PATH } from "../composition";

const check = process.argv.includes("--check");
const out = compose();
if (!out.ok) {
  console.error("composition failed:\n" + out.errors.map((e) => `  - ${e}`).join("\n"));
  process.exit(1);
}
if (check) {
  const current = existsSync(SUPERGRAPH_PATH) ? readFileSync(SUPERGRAPH_PATH, "utf8") : "";
  if (current !== out.supergraph) {
    console.error("schema/supergraph.graphql is stale: run `npm run compose` and commit the result.");
    process.exit(1);
  }
  console.log("supergraph is up to date");
} else {
  writeFileSync(SUPERGRAPH_PATH, out.supergraph);
  console.log(`wrote ${SUPERGRAPH_PATH}`);
}
