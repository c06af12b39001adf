/** `contracts [list] | show <name> | set <name> --include/--exclude | schema <name>`: contract filters and schemas. */
import type { Command } from "commander";
import { list, run } from "../context";
import { table } from "../render";

export function register(program: Command) {
  const contracts = program.command("contracts").description("list, show and set contract filters (@tag include/exclude); print a contract's schema");
  contracts
    .command("list", { isDefault: true })
    .description("the contracts in force")
    .action(async (_o: unknown, cmd: Command) =>
      run(cmd, async ({ registry, actor }) => {
        const cs = await registry.contracts(actor);
        return { data: { contracts: cs }, text: table(cs.map((c) => ({ name: c.name, include: c.include, exclude: c.exclude, description: c.description, set: `${c.setAt} by ${c.setBy.sub}` })), ["name", "include", "exclude", "description", "set"]) };
      }));
  contracts
    .command("show")
    .argument("<name>", "contract name")
    .description("a contract's filter and its history")
    .action(async (name: string, _o: unknown, cmd: Command) =>
      run(cmd, async ({ registry, actor }) => {
        const c = await registry.contract(actor, name);
        return { data: { contract: c }, text: `${c.name}: ${c.description}\ninclude: ${c.include.join(", ") || "(everything)"}\nexclude: ${c.exclude.join(", ") || "(nothing)"}\nhistory:\n${table(c.history.map((h) => ({ at: h.setAt, by: h.setBy.sub, include: h.include, exclude: h.exclude })), ["at", "by", "include", "exclude"])}` };
      }));
  contracts
    .command("set")
    .argument("<name>", "contract name")
    .description("set a contract's filter (a new row in its history)")
    .option("--include <tags>", "only fields with these tags (comma-separated)", list)
    .option("--exclude <tags>", "never fields with these tags (comma-separated)", list)
    .option("--description <text>", "what the contract is for")
    .action(async (name: string, o: { include?: string[]; exclude?: string[]; description?: string }, cmd: Command) =>
      run(cmd, async ({ registry, actor }) => {
        const c = await registry.setContract(actor, { name, include: o.include ?? [], exclude: o.exclude ?? [], description: o.description });
        return { data: { contract: c }, text: `contract ${c.name}: include ${c.include.join(", ") || "(everything)"}; exclude ${c.exclude.join(", ") || "(nothing)"}` };
      }));
  contracts
    .command("schema")
    .argument("<name>", "contract name")
    .description("print the contract's API schema (of the current supergraph, or --version)")
    .option("--version <n>", "supergraph version", (v) => Number(v))
    .action(async (name: string, o: { version?: number }, cmd: Command) =>
      run(cmd, async ({ registry, actor }) => {
        const r = await registry.contractSchema(actor, name, o.version);
        return { data: { contract: r.contract.name, supergraphVersion: r.supergraphVersion, apiSchemaSdl: r.apiSchemaSdl }, text: r.apiSchemaSdl };
      }));
}
