/**
 * `npm run schema -- <command>`: the data stewards' control plane on the command line. One file per command
 * in ./commands; every command takes --json and --token (or CG_TOKEN), and exits non-zero with a stable
 * code (gateway/src/errors.ts) and a readable explanation when refused.
 */
import { Command, CommanderError } from "commander";
import { fail } from "./context";
import { RegistryError } from "../registry/errors";
import * as publish from "./commands/publish";
import * as check from "./commands/check";
import * as compose from "./commands/compose";
import * as history from "./commands/history";
import * as diff from "./commands/diff";
import * as rollback from "./commands/rollback";
import * as contracts from "./commands/contracts";
import * as clients from "./commands/clients";
import * as operations from "./commands/operations";
import * as approve from "./commands/approve";
import * as usage from "./commands/usage";
import * as safelist from "./commands/safelist";

const program = new Command("schema")
  .description("Citizen Graph schema registry: publish and check subgraphs, contracts, client operations, approvals, usage")
  .option("--json", "machine-readable output")
  .option("--token <jwt>", "your token (default: CG_TOKEN)")
  .option("--registry-url <url>", "use a running registry's HTTP API, e.g. http://127.0.0.1:4000 (default: CG_REGISTRY_URL; unset: open the registry's database directly)")
  .showHelpAfterError()
  .exitOverride();

for (const c of [publish, check, compose, history, diff, rollback, contracts, clients, operations, approve, usage, safelist]) c.register(program);
program.commands.forEach(function override(c: Command) {
  c.exitOverride();
  c.commands.forEach(override);
});

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof CommanderError) {
    if (e.exitCode === 0) process.exit(0); // --help, --version
    fail(new RegistryError("BAD_USER_INPUT", e.message.replace(/^error: /, "")), process.argv.includes("--json"));
  }
  fail(e, process.argv.includes("--json"));
});
