/** `check <subgraph> <sdl-file> [--url]`: the publish checks, nothing stored; exits 1 with the refusal's code when they do not pass. */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { ERROR_CODES } from "../../../gateway/src/errors";
import { run } from "../context";
import { renderReport } from "../render";

export function register(program: Command) {
  program
    .command("check")
    .description("run every publish check on a subgraph's SDL without storing anything")
    .argument("<subgraph>", "subgraph name")
    .argument("<sdl-file>", "the subgraph's SDL file")
    .option("--url <routing-url>", "routing URL (default: the current version's)")
    .action(async (subgraph: string, file: string, opts: { url?: string }, cmd: Command) =>
      run(cmd, async ({ registry, actor }) => {
        const report = await registry.check(actor, { subgraph, sdl: readFileSync(file, "utf8"), routingUrl: opts.url });
        const why = report.code ? `\n  (${ERROR_CODES[report.code].description})` : "";
        return { data: { ...(report.code ? { code: report.code, message: report.refusals[0].message } : {}), report }, text: renderReport(report) + why, exitCode: report.ok ? 0 : 1 };
      }));
}
