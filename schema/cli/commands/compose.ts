/** `compose [--write [file]]`: recomposes the current subgraph versions; stores a new version only if the result differs. */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { SUPERGRAPH_PATH, supergraphFile } from "../../composition";
import { run } from "../context";

export function register(program: Command) {
  program
    .command("compose")
    .description("recompose the current subgraph versions (a new supergraph version only if the result differs)")
    .option("--write [file]", `write the current supergraph to a file (default ${SUPERGRAPH_PATH})`)
    .action(async (opts: { write?: string | boolean }, cmd: Command) =>
      run(cmd, async ({ registry, actor }) => {
        const r = await registry.compose(actor);
        const target = opts.write === true ? SUPERGRAPH_PATH : opts.write;
        if (target) writeFileSync(target, supergraphFile(r.supergraph.sdl));
        return {
          data: { changed: r.changed, supergraphVersion: r.supergraph.version, inputs: r.supergraph.inputs, ...(target ? { wrote: target } : {}) },
          text: `${r.changed ? "composed new" : "unchanged:"} supergraph version ${r.supergraph.version} from ${r.supergraph.inputs.map((i) => `${i.subgraph}@${i.version}`).join(", ")}${target ? `\nwrote ${target}` : ""}`,
        };
      }));
}
