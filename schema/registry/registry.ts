/**
 * The schema registry as one service: every operation the CLI and the HTTP API offer, each taking the acting
 * caller and checking what its role may do (./access), plus the interfaces the gateway uses (current
 * supergraph, usage recording, safelist lookups, seeding). Storage is ./store and the per-concern files.
 */
import { DEPARTMENTS } from "../../subgraphs/departments";
import { readSources, readSupergraphConfig, type SubgraphEntry } from "../composition";
import { requirePublisher, requireSteward } from "./access";
import { listApprovals, recordApproval, SUBJECT, type Approval } from "./approvals";
import { runChecks } from "./checks";
import { apiSchemaOf, composeDetailed } from "./composition";
import { schemaChanges, type ChangeSet } from "./changes";
import { diffSubgraph, diffSupergraphs, requireSupergraph, subgraphHistory, supergraphHistory, type DiffResult, type SubgraphHistoryEntry, type SupergraphHistoryEntry } from "./history";
import { contractHistory, contractSchema, listContracts, seedContracts, setContract, contractName, type Contract } from "./contracts";
import type { RegistryConfig } from "./config";
import { RegistryError } from "./errors";
import { cleanText, clientName, clientVersion, input, reasonText, routingUrl, sdlText, subgraphName, version } from "./inputs";
import { documentLimitProblem, listClients, listOperations, registerOperations, type RegisteredOperation } from "./operations";
import { createSafelistGuard, listSafelists, setSafelist, type SafelistGuard, type SafelistState } from "./safelist";
import { openRegistryStore, type RegistryStore, type SupergraphVersion } from "./store";
import { SYSTEM_ACTOR, type Actor, type CheckReport, type RequiredApproval } from "./types";
import { createUsageRecorder, personalDataReport, servedSince, type PersonalDataUse, type ServedOperation, type UsageEntry, type UsageRecorder } from "./usage";
import { z } from "zod";

export interface PublishInput {
  subgraph: string;
  sdl: string;
  /** Default: the routing URL of the subgraph's current version (required for a new subgraph). */
  routingUrl?: string;
  /** Owner department; only a steward may set it (default: the current owner, or the publisher's department). */
  owner?: string;
}

export interface PublishResult {
  report: CheckReport;
  /** False when the published SDL and URL equal the current version's (nothing stored). */
  changed: boolean;
  subgraphVersion: number;
  supergraph: SupergraphVersion;
}

export interface UsageReport {
  windowDays: number;
  served: ServedOperation[];
  /** ★ Personal and sensitive fields read, per client and contract, by purpose. */
  personalData: PersonalDataUse[];
}

const MAX_ATTEMPTS = 3;
const seedOwner = (name: string) => ((DEPARTMENTS as readonly string[]).includes(name) ? name : "data-stewards");

export interface Registry extends SafelistGuard {
  readonly store: RegistryStore;
  readonly config: RegistryConfig;
  check(actor: Actor, input: PublishInput): Promise<CheckReport>;
  publish(actor: Actor, input: PublishInput): Promise<PublishResult>;
  compose(actor: Actor): Promise<{ changed: boolean; supergraph: SupergraphVersion }>;
  rollback(actor: Actor, to: number): Promise<{ supergraph: SupergraphVersion; changes: ChangeSet }>;
  supergraphHistory(actor: Actor): Promise<SupergraphHistoryEntry[]>;
  subgraphHistory(actor: Actor, subgraph: string): Promise<SubgraphHistoryEntry[]>;
  subgraphs(actor: Actor): Promise<{ subgraph: string; version: number; routingUrl: string; owner: string }[]>;
  supergraph(actor: Actor, v?: number): Promise<SupergraphVersion>;
  diff(actor: Actor, args: { from?: number; to?: number; subgraph?: string; sdl?: string }): Promise<DiffResult>;
  contracts(actor: Actor): Promise<Contract[]>;
  contract(actor: Actor, name: string): Promise<Contract & { history: Contract[] }>;
  setContract(actor: Actor, c: { name: string; description?: string; include: string[]; exclude: string[] }): Promise<Contract>;
  contractSchema(actor: Actor | null, name: string, v?: number): Promise<{ contract: Contract; supergraphVersion: number; apiSchemaSdl: string }>;
  registerOperations(actor: Actor, client: string, clientVersion: string, documents: string[]): Promise<{ id: string; name: string; added: boolean }[]>;
  clients(actor: Actor): Promise<{ client: string; versions: string[]; operations: number; safelist: boolean }[]>;
  operations(actor: Actor, filter?: { client?: string; clientVersion?: string }): Promise<RegisteredOperation[]>;
  approve(actor: Actor, subject: string, reason: string): Promise<Approval>;
  approvals(actor: Actor): Promise<{ approvals: Approval[]; pending: (RequiredApproval & { subgraph: string; at: string })[] }>;
  usage(actor: Actor, args?: { days?: number; client?: string }): Promise<UsageReport>;
  setSafelist(actor: Actor, client: string, enabled: boolean): Promise<SafelistState>;
  safelists(actor: Actor): Promise<SafelistState[]>;
  /** Every contract's API schema cut from the given (default: current) supergraph, for the gateway's /contracts/<name>/graphql endpoints. */
  contractSchemas(supergraphSdl?: string): Promise<{ name: string; include: string[]; exclude: string[]; apiSchemaSdl: string }[]>;
  /** The current supergraph, for the gateway (no caller: the gateway's own read). */
  currentSupergraph(): Promise<SupergraphVersion | null>;
  /** Queues usage records (batched writes). */
  recordUsage(entries: UsageEntry[]): void;
  /** Writes the queued usage records now. */
  flushUsage(): Promise<void>;
  /** On an empty registry: publishes the subgraphs of schema/supergraph.yaml as the first versions. Returns the seeded supergraph, or null when the registry had one. */
  seedFromFiles(entries?: SubgraphEntry[]): Promise<SupergraphVersion | null>;
  close(): Promise<void>;
}

export interface RegistryOptions {
  /** Usage batching: written every `flushMs` (default 1000) or at `maxPending` distinct entries. */
  usage?: { flushMs?: number; maxPending?: number };
  /** How long safelist answers are cached, ms (default 2000). */
  safelistTtlMs?: number;
}

export async function openRegistry(config: RegistryConfig, opts: RegistryOptions = {}): Promise<Registry> {
  let store: RegistryStore;
  try {
    store = await openRegistryStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  } catch (e) {
    throw new RegistryError("REGISTRY_UNAVAILABLE", `the schema registry's database could not be opened: ${(e as Error).message}`);
  }
  const db = store.db;
  const recorder: UsageRecorder = createUsageRecorder(db, opts.usage);
  const guard = createSafelistGuard(db, { ttlMs: opts.safelistTtlMs });

  const requireCurrent = () => requireSupergraph(store);
  const supergraphVersion = (v: number) => requireSupergraph(store, v);
  const latestOf = async (subgraph: string) => (await store.subgraphVersions(subgraph)).at(-1);

  async function prepare(actor: Actor, raw: PublishInput) {
    const subgraph = input(subgraphName, raw.subgraph, "subgraph");
    const sdl = input(sdlText, raw.sdl, "sdl");
    const latest = await latestOf(subgraph);
    requirePublisher(actor, subgraph, latest?.owner);
    if (raw.owner !== undefined && raw.owner !== latest?.owner) requireSteward(actor, "set or change a subgraph's owner department");
    const url = raw.routingUrl === undefined ? latest?.routingUrl : input(routingUrl, raw.routingUrl, "routingUrl");
    if (!url) throw new RegistryError("BAD_USER_INPUT", `subgraph ${subgraph} is new: give its routing URL`);
    const owner = raw.owner !== undefined ? input(cleanText(200).pipe(z.string().min(1)), raw.owner, "owner") : latest?.owner ?? (actor === SYSTEM_ACTOR ? seedOwner(subgraph) : actor.org);
    return { subgraph, sdl, routingUrl: url, owner };
  }

  async function checkOnce(actor: Actor, p: { subgraph: string; sdl: string; routingUrl: string }, action: "check" | "publish") {
    const base = await store.current();
    const baseSubgraphs = await store.currentSubgraphs();
    const outcome = await runChecks([p], { db, base, baseSubgraphs, contracts: await listContracts(db), usageWindowMs: config.usageWindowMs });
    await db.query("INSERT INTO check_runs (subgraph, action, outcome, code, report, caller_sub, caller_role) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)",
      [p.subgraph, action, outcome.report.ok ? "passed" : "refused", outcome.report.code ?? null, JSON.stringify(outcome.report), actor.sub, actor.role]);
    return { ...outcome, base, baseSubgraphs };
  }

  async function commitSupergraph(actor: Actor, reason: "compose" | "rollback", sdl: string, keep: number[], rollbackOf?: number) {
    const cur = await store.currentVersion();
    const s = await store.commit({ expectCurrent: cur, subgraphs: [], keep, sdl, reason, rollbackOf, actor });
    if (!s) throw new RegistryError("REGISTRY_UNAVAILABLE", "the graph changed at the same time; try again");
    return s;
  }

  const registry: Registry = {
    store,
    config,
    ...guard,

    async check(actor, raw) {
      const p = await prepare(actor, raw);
      return (await checkOnce(actor, p, "check")).report;
    },

    async publish(actor, raw) {
      const p = await prepare(actor, raw);
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const { report, supergraphSdl, base, baseSubgraphs } = await checkOnce(actor, p, "publish");
        if (!report.ok) throw new RegistryError(report.code!, report.refusals[0].message, report);
        const mine = baseSubgraphs.find((s) => s.subgraph === p.subgraph);
        if (base && mine && mine.sdl === p.sdl && mine.routingUrl === p.routingUrl && mine.owner === p.owner) {
          return { report, changed: false, subgraphVersion: mine.version, supergraph: base };
        }
        const keep = baseSubgraphs.filter((s) => s.subgraph !== p.subgraph).map((s) => s.id);
        const s = await store.commit({ expectCurrent: base?.version ?? null, subgraphs: [{ ...p, report }], keep, sdl: supergraphSdl!, reason: "publish", actor });
        if (s) return { report, changed: true, subgraphVersion: s.inputs.find((i) => i.subgraph === p.subgraph)!.version, supergraph: s };
      }
      throw new RegistryError("REGISTRY_UNAVAILABLE", "the graph kept changing while this change was checked; try again");
    },

    async compose(actor) {
      requireSteward(actor, "recompose the supergraph");
      const cur = await requireCurrent();
      const subs = await store.currentSubgraphs();
      const composed = composeDetailed(subs.map((s) => ({ name: s.subgraph, url: s.routingUrl, sdl: s.sdl })));
      if (!composed.ok) throw new RegistryError("COMPOSITION_FAILED", `the current subgraph versions no longer compose: ${composed.errors[0]?.message}`, { composition: composed.errors });
      if (composed.supergraphSdl === cur.sdl) return { changed: false, supergraph: cur };
      return { changed: true, supergraph: await commitSupergraph(actor, "compose", composed.supergraphSdl, subs.map((s) => s.id)) };
    },

    async rollback(actor, to) {
      requireSteward(actor, "roll back the supergraph");
      const target = await supergraphVersion(input(version, to, "version"));
      const cur = await requireCurrent();
      const changes = await schemaChanges(apiSchemaOf(cur.sdl), apiSchemaOf(target.sdl));
      const s = await commitSupergraph(actor, "rollback", target.sdl, target.inputs.map((i) => i.id), target.version);
      return { supergraph: s, changes };
    },

    async supergraphHistory(actor) {
      requireSteward(actor, "read the registry's history");
      return supergraphHistory(store);
    },

    async subgraphHistory(actor, name) {
      requireSteward(actor, "read the registry's history");
      return subgraphHistory(store, input(subgraphName, name, "subgraph"));
    },

    async subgraphs(actor) {
      requireSteward(actor, "list the subgraphs");
      return (await store.currentSubgraphs()).map((s) => ({ subgraph: s.subgraph, version: s.version, routingUrl: s.routingUrl, owner: s.owner }));
    },

    async supergraph(actor, v) {
      requireSteward(actor, "read supergraph versions");
      return requireSupergraph(store, v === undefined ? undefined : input(version, v, "version"));
    },

    async diff(actor, args) {
      requireSteward(actor, "compare versions");
      const num = (v: number | undefined, what: string) => (v === undefined ? undefined : input(version, v, what));
      if (args.subgraph === undefined) return diffSupergraphs(store, num(args.from, "from"), num(args.to, "to"));
      return diffSubgraph(store, input(subgraphName, args.subgraph, "subgraph"), { from: num(args.from, "from"), to: num(args.to, "to"), sdl: args.sdl === undefined ? undefined : input(sdlText, args.sdl, "sdl") });
    },

    async contracts(actor) {
      requireSteward(actor, "list contracts");
      return listContracts(db);
    },

    async contract(actor, name) {
      requireSteward(actor, "read contracts");
      const history = await contractHistory(db, input(contractName, name, "contract"));
      if (!history.length) throw new RegistryError("UNKNOWN_CONTRACT", `no contract ${name} is configured`);
      return { ...history.at(-1)!, history };
    },

    async setContract(actor, c) {
      requireSteward(actor, "configure contracts");
      const description = c.description === undefined ? undefined : input(cleanText(2000), c.description, "description");
      try {
        return await setContract(db, actor, { ...c, description });
      } catch (e) {
        if (e instanceof z.ZodError) throw new RegistryError("BAD_USER_INPUT", `contract: ${e.issues[0]?.path.join(".")} ${e.issues[0]?.message}`);
        throw e;
      }
    },

    async contractSchema(actor, name, v) {
      if (actor) requireSteward(actor, "read contract schemas");
      const contract = (await listContracts(db)).find((c) => c.name === name);
      if (!contract) throw new RegistryError("UNKNOWN_CONTRACT", `no contract ${name} is configured`);
      const s = v === undefined ? await requireCurrent() : await supergraphVersion(v);
      return { contract, supergraphVersion: s.version, apiSchemaSdl: contractSchema(s.sdl, contract).apiSchemaSdl };
    },

    async registerOperations(actor, client, cv, documents) {
      requireSteward(actor, "register client operations");
      const name = input(clientName, client, "client");
      const ver = input(clientVersion, cv, "clientVersion");
      const docs = input(z.array(cleanText(200_000)).min(1, "give at least one operation document"), documents, "documents");
      docs.forEach((d, i) => {
        let problem: string | undefined;
        try {
          problem = documentLimitProblem(d);
        } catch {
          problem = undefined; // a lexical error: reported by parse below as GRAPHQL_PARSE_FAILED
        }
        if (problem) throw new RegistryError("BAD_USER_INPUT", `documents.${i}: the operation document has ${problem}`);
      });
      try {
        return await registerOperations(db, actor, name, ver, docs);
      } catch (e) {
        if ((e as { name?: string }).name === "GraphQLError") throw new RegistryError("GRAPHQL_PARSE_FAILED", `an operation document is not valid GraphQL: ${(e as Error).message}`);
        throw e;
      }
    },

    async clients(actor) {
      requireSteward(actor, "list clients");
      const safelists = new Map((await listSafelists(db)).map((s) => [s.client, s.enabled]));
      return (await listClients(db)).map((c) => ({ ...c, safelist: safelists.get(c.client) ?? false }));
    },

    async operations(actor, filter = {}) {
      requireSteward(actor, "list client operations");
      return listOperations(db, filter);
    },

    async approve(actor, subject, reason) {
      requireSteward(actor, "approve changes");
      const s = input(z.string().regex(SUBJECT, "an approval subject such as downgrade:Citizen.phone:PERSONAL>INTERNAL, transfer:Type.field:from>to, exposure:contract:Type.field, requires:Type.field:Type.requiredField, mask:Type.field:OLD>NEW or scopes:Type.field"), subject, "subject");
      return recordApproval(db, actor, s, input(reasonText, reason, "reason"));
    },

    async approvals(actor) {
      requireSteward(actor, "list approvals");
      const approvals = await listApprovals(db);
      const approved = new Set(approvals.map((a) => a.subject));
      const rows = await db.query("SELECT subgraph, report, at FROM check_runs WHERE outcome = 'refused' AND code = 'APPROVAL_REQUIRED' ORDER BY id DESC LIMIT 200", []);
      const pending = new Map<string, RequiredApproval & { subgraph: string; at: string }>();
      for (const r of rows) {
        const report = (typeof r.report === "string" ? JSON.parse(r.report) : r.report) as CheckReport;
        for (const req of report.approvals.required) {
          if (!approved.has(req.subject) && !pending.has(req.subject)) pending.set(req.subject, { ...req, subgraph: String(r.subgraph), at: (r.at instanceof Date ? r.at : new Date(String(r.at))).toISOString() });
        }
      }
      return { approvals, pending: [...pending.values()] };
    },

    async usage(actor, args = {}) {
      requireSteward(actor, "read usage");
      const days = args.days ?? config.usageWindowMs / 86_400_000;
      const since = new Date(Date.now() - input(z.number().positive().max(3650), days, "days") * 86_400_000);
      await recorder.flush();
      const cur = await store.current();
      const client = args.client === undefined ? undefined : input(clientName, args.client, "client");
      return { windowDays: days, served: await servedSince(db, since, client), personalData: cur ? (await personalDataReport(db, cur.sdl, since)).filter((u) => !client || u.client === client) : [] };
    },

    async setSafelist(actor, client, enabled) {
      requireSteward(actor, "change safelist mode");
      return setSafelist(db, actor, input(clientName, client, "client"), enabled);
    },

    async safelists(actor) {
      requireSteward(actor, "list safelist modes");
      return listSafelists(db);
    },

    async contractSchemas(supergraphSdl) {
      const sdl = supergraphSdl ?? (await requireCurrent()).sdl;
      return (await listContracts(db)).map((c) => ({ name: c.name, include: c.include, exclude: c.exclude, apiSchemaSdl: contractSchema(sdl, c).apiSchemaSdl }));
    },

    currentSupergraph: () => store.current(),
    recordUsage: (entries) => recorder.recordUsage(entries),
    flushUsage: () => recorder.flush(),

    async seedFromFiles(entries = readSupergraphConfig()) {
      await seedContracts(db, SYSTEM_ACTOR);
      if ((await store.currentVersion()) !== null) return null;
      const proposed = readSources(entries).map((s) => ({ subgraph: s.name, sdl: s.sdl, routingUrl: s.url }));
      const { report, supergraphSdl } = await runChecks(proposed, { db, base: null, baseSubgraphs: [], contracts: await listContracts(db), usageWindowMs: config.usageWindowMs });
      if (!report.ok) throw new RegistryError(report.code!, `the SDL files do not pass the registry's checks: ${report.refusals[0].message}`, report);
      const s = await store.commit({
        expectCurrent: null, keep: [], sdl: supergraphSdl!, reason: "seed", actor: SYSTEM_ACTOR,
        subgraphs: proposed.map((p) => ({ ...p, owner: seedOwner(p.subgraph), report: { ...report, subgraph: p.subgraph } })),
      });
      return s ?? store.current();
    },

    async close() {
      await recorder.close();
      await store.close();
    },
  };
  return registry;
}
