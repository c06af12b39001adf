/** `diff [--from n] [--to n] [--subgraph name [--file sdl]]`: breaking/dangerous/safe changes between versions, or against a file. */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { run } from "../context";
import { renderChanges } from "../render";

export function register(program: Command) {
  program
    .command("diff")
    .description("changes between two supergraph versions (default: to the current), two versions of a subgraph (--subgraph), or the current graph and an SDL file (--subgraph --file)")
    .option("--from <version>", "from this version", (v) => Number(v))
    .option("--to <version>", "to this version", (v) => Number(v))
    .option("--subgraph <name>", "compare versions of this subgraph, composed with the current others")
    .option("--file <sdl-file>", "compare the current graph with this SDL for --subgraph")
    .action(async (opts: { from?: number; to?: number; subgraph?: string; file?: string }, cmd: Command) =>
      run(cmd, async ({ registry, actor }) => {
        const r = await registry.diff(actor, { from: opts.from, to: opts.to, subgraph: opts.subgraph, sdl: opts.file ? readFileSync(opts.file, "utf8") : undefined });
        return { data: r, text: `${r.from} → ${r.to}\n${renderChanges(r.changes)}` };
      }));
}
