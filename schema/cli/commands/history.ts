/** `history [subgraph]`: supergraph versions (inputs, reason, approvals), or one subgraph's versions. */
import type { Command } from "commander";
import { run } from "../context";
import { table } from "../render";

export function register(program: Command) {
  program
    .command("history")
    .description("list supergraph versions with their inputs and approvals, or the versions of one subgraph")
    .argument("[subgraph]", "a subgraph name (default: the supergraph)")
    .action(async (subgraph: string | undefined, _opts: unknown, cmd: Command) =>
      run(cmd, async ({ registry, actor }) => {
        if (subgraph) {
          const versions = await registry.subgraphHistory(actor, subgraph);
          const rows = versions.map((v) => ({
            version: v.version, current: v.current ? "*" : "", published: v.publishedAt, by: `${v.publisher.sub} (${v.publisher.role})`, owner: v.owner, url: v.routingUrl,
            supergraphs: v.supergraphVersions, changes: `${v.changes.breaking}/${v.changes.dangerous}/${v.changes.safe}`,
            approvals: v.approvals.map((a) => `${a.subject} by ${a.steward}: ${a.reason}`).join("; "),
          }));
          return { data: { subgraph, versions }, text: `${subgraph} (changes: breaking/dangerous/safe)\n${table(rows, Object.keys(rows[0] ?? { version: 0 }))}` };
        }
        const versions = await registry.supergraphHistory(actor);
        const rows = versions.map((v) => ({
          version: v.version, current: v.current ? "*" : "", reason: v.reason + (v.rollbackOf ? ` of ${v.rollbackOf}` : ""), at: v.createdAt, by: `${v.createdBy.sub} (${v.createdBy.role})`,
          inputs: v.inputs.map((i) => `${i.subgraph}@${i.version}`).join(" "), approvals: v.approvals.map((a) => `${a.subject} by ${a.steward}: ${a.reason}`).join("; "),
        }));
        return { data: { versions }, text: table(rows, ["version", "current", "reason", "at", "by", "inputs", "approvals"]) };
      }));
}
