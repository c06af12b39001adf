/** `clients`: registered clients, their versions, operation counts and safelist mode. */
import type { Command } from "commander";
import { run } from "../context";
import { table } from "../render";

export function register(program: Command) {
  program
    .command("clients")
    .description("list registered clients with their versions, operations and safelist mode")
    .action(async (_o: unknown, cmd: Command) =>
      run(cmd, async ({ registry, actor }) => {
        const cs = await registry.clients(actor);
        return { data: { clients: cs }, text: table(cs.map((c) => ({ ...c, safelist: c.safelist ? "on" : "off" })), ["client", "versions", "operations", "safelist"]) };
      }));
}
