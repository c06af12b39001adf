/**
 * The registry over its HTTP API, for the CLI's `--registry-url` (CG_REGISTRY_URL): the same operations
 * when the registry is another process's — a gateway holding the embedded PGlite registry, or a shared
 * deployment. The server authenticates the token and applies the role rules; refusals come back with their
 * registered code and are raised as they would be locally.
 */
import { RegistryError } from "../registry/errors";
import type { Registry } from "../registry/registry";
import type { CheckReport } from "../registry/types";
import { ERROR_CODES, type ErrorCode } from "../../gateway/src/errors";

/** What the CLI's commands use of the registry. */
export type RegistryApi = Pick<Registry,
  | "publish" | "check" | "compose" | "rollback" | "supergraphHistory" | "subgraphHistory" | "diff" | "contracts" | "contract" | "setContract"
  | "contractSchema" | "registerOperations" | "clients" | "operations" | "approve" | "approvals" | "usage" | "setSafelist" | "safelists" | "supergraph"
>;

type Json = Record<string, any>;

export function remoteRegistry(baseUrl: string, token: string): RegistryApi {
  const base = baseUrl.replace(/\/+$/, "");
  async function call(method: "GET" | "POST" | "PUT", path: string, body?: unknown, query: Record<string, unknown> = {}): Promise<Json> {
    const qs = Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join("&");
    let res: Response;
    try {
      res = await fetch(`${base}${path}${qs ? `?${qs}` : ""}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (e) {
      throw new RegistryError("REGISTRY_UNAVAILABLE", `the registry at ${base} cannot be reached: ${(e as Error).message}`);
    }
    let json: Json;
    try {
      json = (await res.json()) as Json;
    } catch {
      throw new RegistryError("REGISTRY_UNAVAILABLE", `the registry at ${base} answered HTTP ${res.status} without JSON`);
    }
    if (json.ok === false && json.report && res.status !== 200) return json; // a check that did not pass: the report is the answer
    if (!res.ok || json.ok === false) {
      const code = typeof json.code === "string" && Object.prototype.hasOwnProperty.call(ERROR_CODES, json.code) ? (json.code as ErrorCode) : "INTERNAL_SERVER_ERROR";
      throw new RegistryError(code, String(json.message ?? `HTTP ${res.status}`), json.detail);
    }
    return json;
  }
  const supergraph = async (v?: number) => (await call("GET", "/registry/supergraph", undefined, { version: v })).supergraph;

  return {
    async publish(_a, input) {
      const r = await call("POST", "/registry/publish", input);
      return { report: r.report, changed: r.changed, subgraphVersion: r.subgraphVersion, supergraph: r.supergraph };
    },
    check: async (_a, input) => (await call("POST", "/registry/check", input)).report as CheckReport,
    async compose() {
      const r = await call("POST", "/registry/compose", {});
      return { changed: r.changed, supergraph: r.supergraph };
    },
    async rollback(_a, version) {
      const r = await call("POST", "/registry/rollback", { version });
      return { supergraph: r.supergraph, changes: r.changes };
    },
    supergraphHistory: async () => (await call("GET", "/registry/history")).versions,
    subgraphHistory: async (_a, subgraph) => (await call("GET", "/registry/history", undefined, { subgraph })).versions,
    async diff(_a, args) {
      const r = args.sdl !== undefined ? await call("POST", "/registry/diff", { subgraph: args.subgraph, sdl: args.sdl }) : await call("GET", "/registry/diff", undefined, { from: args.from, to: args.to, subgraph: args.subgraph });
      return { from: r.from, to: r.to, changes: r.changes };
    },
    contracts: async () => (await call("GET", "/registry/contracts")).contracts,
    contract: async (_a, name) => (await call("GET", `/registry/contracts/${encodeURIComponent(name)}`)).contract,
    setContract: async (_a, c) => (await call("PUT", `/registry/contracts/${encodeURIComponent(c.name)}`, { include: c.include, exclude: c.exclude, ...(c.description === undefined ? {} : { description: c.description }) })).contract,
    async contractSchema(_a, name, version) {
      const r = await call("GET", `/registry/contracts/${encodeURIComponent(name)}/schema`, undefined, { version });
      return { contract: (await call("GET", `/registry/contracts/${encodeURIComponent(name)}`)).contract, supergraphVersion: r.supergraphVersion, apiSchemaSdl: r.apiSchemaSdl };
    },
    registerOperations: async (_a, client, version, documents) => (await call("POST", `/registry/clients/${encodeURIComponent(client)}/versions/${encodeURIComponent(version)}/operations`, { documents })).operations,
    clients: async () => (await call("GET", "/registry/clients")).clients,
    operations: async (_a, filter = {}) => (await call("GET", "/registry/operations", undefined, filter)).operations,
    approve: async (_a, subject, reason) => (await call("POST", "/registry/approvals", { subject, reason })).approval,
    async approvals() {
      const r = await call("GET", "/registry/approvals");
      return { approvals: r.approvals, pending: r.pending };
    },
    async usage(_a, args = {}) {
      const r = await call("GET", "/registry/usage", undefined, args);
      return { windowDays: r.windowDays, served: r.served, personalData: r.personalData };
    },
    setSafelist: async (_a, client, enabled) => (await call("PUT", `/registry/safelist/${encodeURIComponent(client)}`, { enabled })).safelist,
    safelists: async () => (await call("GET", "/registry/safelist")).safelists,
    supergraph: async (_a, v) => supergraph(v),
  };
}
