/** `publish <subgraph> <sdl-file> [--url] [--owner] [--write [file]]`: checks, then stores the version and a new current supergraph. */
import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { SUPERGRAPH_PATH, supergraphFile } from "../../composition";
import { run } from "../context";
import { renderReport } from "../render";

export function register(program: Command) {
  program
    .command("publish")
    .description("check a subgraph's SDL and, if every check passes, store it and compose a new current supergraph")
    .argument("<subgraph>", "subgraph name, e.g. civil-affairs")
    .argument("<sdl-file>", "the subgraph's SDL file")
    .option("--url <routing-url>", "routing URL (default: the current version's; required for a new subgraph)")
    .option("--owner <department>", "owner department (stewards only; default: the current owner, or your department)")
    .option("--write [file]", `also write the new supergraph to a file (default ${SUPERGRAPH_PATH})`)
    .action(async (subgraph: string, file: string, opts: { url?: string; owner?: string; write?: string | boolean }, cmd: Command) =>
      run(cmd, async ({ registry, actor }) => {
        const r = await registry.publish(actor, { subgraph, sdl: readFileSync(file, "utf8"), routingUrl: opts.url, owner: opts.owner });
        const target = opts.write === true ? SUPERGRAPH_PATH : opts.write;
        if (target) writeFileSync(target, supergraphFile(r.supergraph.sdl));
        const head = r.changed
          ? `published ${subgraph} version ${r.subgraphVersion}; supergraph version ${r.supergraph.version} is current`
          : `${subgraph} is unchanged (version ${r.subgraphVersion}); supergraph version ${r.supergraph.version} stays current`;
        return {
          data: { subgraph, subgraphVersion: r.subgraphVersion, supergraphVersion: r.supergraph.version, changed: r.changed, report: r.report, ...(target ? { wrote: target } : {}) },
          text: `${head}${target ? `\nwrote ${target}` : ""}\n${renderReport(r.report)}`,
        };
      }));
}
