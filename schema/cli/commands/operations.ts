/** `operations register <client> <version> <files...>` and `operations list [--client] [--client-version]`. */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { run } from "../context";
import { table } from "../render";

export function register(program: Command) {
  const ops = program.command("operations").description("register a client version's operations from .graphql files; list them");
  ops
    .command("register")
    .argument("<client>", "client name (apollographql-client-name)")
    .argument("<client-version>", "client version (apollographql-client-version)")
    .argument("<files...>", ".graphql files, one operation document each")
    .description("register operation documents for a client version (ids: sha256 of the normalised document)")
    .action(async (client: string, version: string, files: string[], _o: unknown, cmd: Command) =>
      run(cmd, async ({ registry, actor }) => {
        const r = await registry.registerOperations(actor, client, version, files.map((f) => readFileSync(f, "utf8")));
        return { data: { client, clientVersion: version, operations: r }, text: table(r.map((o) => ({ ...o, added: o.added ? "new" : "already registered" })), ["id", "name", "added"]) };
      }));
  ops
    .command("list", { isDefault: true })
    .description("registered operations")
    .option("--client <name>", "of this client")
    .option("--client-version <version>", "of this client version")
    .action(async (o: { client?: string; clientVersion?: string }, cmd: Command) =>
      run(cmd, async ({ registry, actor }) => {
        const r = await registry.operations(actor, o);
        return { data: { operations: r }, text: table(r.map((x) => ({ client: x.client, version: x.clientVersion, name: x.name, id: x.id, registered: `${x.registeredAt} by ${x.registeredBy}` })), ["client", "version", "name", "id", "registered"]) };
      }));
}
