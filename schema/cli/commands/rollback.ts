/** `rollback <version> [--write [file]]`: makes an earlier supergraph current again, as a new version (nothing is overwritten). */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { SUPERGRAPH_PATH, supergraphFile } from "../../composition";
import { run } from "../context";
import { renderChanges } from "../render";

export function register(program: Command) {
  program
    .command("rollback")
    .description("make an earlier supergraph version current again (recorded as a new version)")
    .argument("<version>", "the supergraph version to return to")
    .option("--write [file]", `also write it to a file (default ${SUPERGRAPH_PATH})`)
    .action(async (v: string, opts: { write?: string | boolean }, cmd: Command) =>
      run(cmd, async ({ registry, actor }) => {
        const r = await registry.rollback(actor, Number(v));
        const target = opts.write === true ? SUPERGRAPH_PATH : opts.write;
        if (target) writeFileSync(target, supergraphFile(r.supergraph.sdl));
        return {
          data: { supergraphVersion: r.supergraph.version, rollbackOf: r.supergraph.rollbackOf, sha256: r.supergraph.sha256, changes: r.changes },
          text: `supergraph version ${r.supergraph.version} (= version ${r.supergraph.rollbackOf}) is current\n${renderChanges(r.changes)}`,
        };
      }));
}
