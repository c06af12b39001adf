/**
 * What every `npm run schema` command shares: the caller's identity (`--token` or CG_TOKEN, verified like
 * the gateway verifies it), the registry (opened, seeded from the SDL files when empty, closed after), and
 * the output — JSON with `--json`, readable text otherwise; refusals exit 1 with a stable code.
 */
import type { Command } from "commander";
import { loadGatewayConfig, withSecrets } from "../../gateway/src/config";
import { createIdentity } from "../../gateway/src/auth/identity";
import { loadPolicy } from "../../gateway/src/governance/policy";
import { ERROR_CODES } from "../../gateway/src/errors";
import { loadRegistryConfig } from "../registry/config";
import { publicError, RegistryError } from "../registry/errors";
import { openRegistry, type Registry } from "../registry/registry";
import type { Actor } from "../registry/types";
import { renderReport } from "./render";
import { remoteRegistry, type RegistryApi } from "./remote";
import { registryHolder } from "../registry/holder";

export interface GlobalOptions {
  json?: boolean;
  token?: string;
  registryUrl?: string;
}

/** What a command returns: data for --json, and the text a person reads. */
export interface Output {
  data: unknown;
  text: string;
  /** Exit code (default 0); a check that did not pass exits 1 without being an error. */
  exitCode?: number;
}

export type Action = (ctx: { registry: RegistryApi; actor: Actor }) => Promise<Output>;

export async function authenticate(token: string | undefined): Promise<Actor> {
  if (!token) throw new RegistryError("UNAUTHENTICATED", "Sign in: pass --token <JWT> or set CG_TOKEN (mint one with `npm run token -- --role data-steward`).");
  const config = withSecrets(loadGatewayConfig());
  const verify = createIdentity({ ...config.auth, knownRoles: Object.keys(loadPolicy(config.policyPath).roles), cacheSize: 0 });
  const caller = await verify(`Bearer ${token}`);
  return { sub: caller.sub, role: caller.role, org: caller.org };
}

function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

function print(out: Output, json: boolean) {
  process.stdout.write(json ? JSON.stringify({ ok: (out.exitCode ?? 0) === 0, ...(out.data as object) }, null, 2) + "\n" : out.text.endsWith("\n") ? out.text : out.text + "\n");
}

export function fail(e: unknown, json: boolean): never {
  const err = publicError(e);
  // Unexpected failures say nothing more unless the operator asks (CG_DEBUG=1): no stack traces by default.
  if (err.code === "INTERNAL_SERVER_ERROR" && process.env.CG_DEBUG === "1") console.error(e);
  if (json) {
    process.stdout.write(JSON.stringify({ ok: false, code: err.code, message: err.message, ...(err.detail === undefined ? {} : { detail: err.detail }) }, null, 2) + "\n");
  } else {
    const detail = err.detail as { refusals?: unknown } | undefined;
    const report = detail && typeof detail === "object" && "refusals" in detail ? `\n${renderReport(detail as Parameters<typeof renderReport>[0])}` : "";
    process.stderr.write(`${err.code}: ${err.message}${report}\n  (${ERROR_CODES[err.code].description})\n`);
  }
  process.exit(err.code === "BAD_USER_INPUT" ? 2 : 1);
}

/** Runs a command's action with the caller and the registry, prints its output and exits. */
export async function run(cmd: Command, action: Action): Promise<void> {
  const g = globals(cmd);
  const json = !!g.json;
  let registry: Registry | undefined;
  try {
    const token = g.token ?? process.env.CG_TOKEN;
    // The embedded registry can be open in one process only: while a gateway serves it, go through its API.
    const rc = loadRegistryConfig();
    const url = g.registryUrl ?? process.env.CG_REGISTRY_URL ?? (rc.databaseUrl ? undefined : registryHolder(rc.dataDir) ?? undefined);
    if (url) {
      // Another process's registry: it verifies the token and applies the role rules.
      if (!token) await authenticate(undefined);
      const out = await action({ registry: remoteRegistry(url, token!), actor: { sub: "remote", role: "remote", org: "" } });
      print(out, json);
      process.exit(out.exitCode ?? 0);
    }
    const actor = await authenticate(token);
    registry = await openRegistry(rc);
    await registry.seedFromFiles();
    const out = await action({ registry, actor });
    await registry.close();
    registry = undefined;
    print(out, json);
    process.exit(out.exitCode ?? 0);
  } catch (e) {
    await registry?.close().catch(() => undefined);
    fail(e, json);
  }
}

/** A comma-separated list option. */
export const list = (v: string, prev: string[] = []) => [...prev, ...v.split(",").map((s) => s.trim()).filter(Boolean)];
