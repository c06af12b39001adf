/** `approve <subject> --reason <text>`: a steward approves a pending downgrade, transfer, contract exposure, data reached with @requires/@provides, or weakened mask/scopes/policy; `approve` alone lists them. */
import type { Command } from "commander";
import { run } from "../context";
import { table } from "../render";

export function register(program: Command) {
  program
    .command("approve")
    .description("approve a pending sensitivity downgrade, ownership transfer, contract exposure, personal data reached with @requires/@provides, or weakened mask, scopes or policy (without a subject: list pending and granted approvals)")
    .argument("[subject]", "e.g. downgrade:Citizen.phone:PERSONAL>INTERNAL, transfer:Citizen.phone:public-security>civil-affairs, exposure:property-company:Building.colour, requires:Citizen.luckyNumber:Citizen.idNumber, mask:Citizen.phone:PHONE>ID_NUMBER, scopes:Citizen.idNumber")
    .option("--reason <text>", "why (kept in the history)")
    .action(async (subject: string | undefined, o: { reason?: string }, cmd: Command) =>
      run(cmd, async ({ registry, actor }) => {
        if (!subject) {
          const r = await registry.approvals(actor);
          return {
            data: r,
            text: `pending:\n${table(r.pending.map((p) => ({ subject: p.subject, subgraph: p.subgraph, why: p.message, since: p.at })), ["subject", "subgraph", "why", "since"])}\napproved:\n${table(r.approvals.map((a) => ({ id: a.id, subject: a.subject, steward: a.steward, reason: a.reason, at: a.at })), ["id", "subject", "steward", "reason", "at"])}`,
          };
        }
        const a = await registry.approve(actor, subject, o.reason ?? "");
        return { data: { approval: a }, text: `approved ${a.subject} (#${a.id}) by ${a.steward}: ${a.reason}` };
      }));
}
