/** `usage [--days n] [--client name]`: served operation counts and the ★ personal-data usage report. */
import type { Command } from "commander";
import { run } from "../context";
import { table } from "../render";

export function register(program: Command) {
  program
    .command("usage")
    .description("operations the gateway served, and which personal and sensitive fields each client and contract read, for which purposes, how often")
    .option("--days <n>", "window in days (default: the usage window)", (v) => Number(v))
    .option("--client <name>", "only this client")
    .action(async (o: { days?: number; client?: string }, cmd: Command) =>
      run(cmd, async ({ registry, actor }) => {
        const r = await registry.usage(actor, o);
        const served = table(r.served.map((s) => ({ client: `${s.client} ${s.clientVersion}`, contract: s.contract ?? "(full graph)", operation: s.operationName, id: s.operationHash.slice(0, 12), count: s.count, last: s.lastSeen })), ["client", "contract", "operation", "id", "count", "last"]);
        const personal = table(r.personalData.map((u) => ({ client: `${u.client} ${u.clientVersion}`, contract: u.contract ?? "(full graph)", field: u.field, class: u.class, purposes: Object.entries(u.purposes).map(([p, n]) => `${p}: ${n}`).join(", "), count: u.count })), ["client", "contract", "field", "class", "purposes", "count"]);
        return { data: r, text: `served operations, last ${r.windowDays} days:\n${served}\n\npersonal data read (个人信息使用), last ${r.windowDays} days:\n${personal}` };
      }));
}
