/** `safelist [<client> <on|off>]`: turn safelist mode on or off for a client (only its registered operations run, by id); alone, list. */
import type { Command } from "commander";
import { RegistryError } from "../../registry/errors";
import { run } from "../context";
import { table } from "../render";

export function register(program: Command) {
  program
    .command("safelist")
    .description("turn safelist mode on or off for a client; without arguments, list the clients' modes")
    .argument("[client]", "client name")
    .argument("[mode]", "on | off")
    .action(async (client: string | undefined, mode: string | undefined, _o: unknown, cmd: Command) =>
      run(cmd, async ({ registry, actor }) => {
        if (!client) {
          const all = await registry.safelists(actor);
          return { data: { safelists: all }, text: table(all.map((s) => ({ client: s.client, mode: s.enabled ? "on" : "off", changed: `${s.changedAt} by ${s.changedBy}` })), ["client", "mode", "changed"]) };
        }
        if (mode !== "on" && mode !== "off") throw new RegistryError("BAD_USER_INPUT", "mode must be on or off");
        const s = await registry.setSafelist(actor, client, mode === "on");
        return { data: { safelist: s }, text: `safelist mode ${s.enabled ? "on" : "off"} for ${s.client}` };
      }));
}
