/**
 * Reading the history: supergraph versions (inputs, reason, the approvals their new subgraph versions
 * passed with), one subgraph's versions (publisher, time, owner, URL, the supergraphs each produced, its
 * approvals and warnings), and the changes between two versions or between the current graph and an SDL.
 */
import { apiSchemaOf, composeDetailed } from "./composition";
import { schemaChanges, type ChangeSet } from "./changes";
import { RegistryError } from "./errors";
import type { RegistryStore, SubgraphVersion, SupergraphVersion } from "./store";
import type { CheckReport } from "./types";

export interface SubgraphHistoryEntry {
  version: number;
  routingUrl: string;
  owner: string;
  publisher: { sub: string; role: string };
  publishedAt: string;
  current: boolean;
  supergraphVersions: number[];
  approvals: CheckReport["approvals"]["granted"];
  warnings: string[];
  changes: { breaking: number; dangerous: number; safe: number };
}

export interface SupergraphHistoryEntry extends Omit<SupergraphVersion, "sdl"> {
  current: boolean;
  approvals: CheckReport["approvals"]["granted"];
}

export async function supergraphHistory(store: RegistryStore): Promise<SupergraphHistoryEntry[]> {
  const all = await store.supergraphs();
  const current = all[0]?.version;
  const out: SupergraphHistoryEntry[] = [];
  const seen = new Set<number>();
  for (const s of [...all].reverse()) {
    // The approvals of the subgraph versions this supergraph introduced (a rollback introduces none).
    const approvals: CheckReport["approvals"]["granted"] = [];
    for (const i of s.inputs) {
      if (seen.has(i.id)) continue;
      seen.add(i.id);
      if (s.reason === "publish" || s.reason === "seed") approvals.push(...((await store.subgraphVersionById(i.id))?.report.approvals.granted ?? []));
    }
    const { sdl: _sdl, ...rest } = s;
    out.push({ ...rest, current: s.version === current, approvals });
  }
  return out.reverse();
}

export async function publishedVersions(store: RegistryStore, subgraph: string): Promise<SubgraphVersion[]> {
  const versions = await store.subgraphVersions(subgraph);
  if (!versions.length) throw new RegistryError("UNKNOWN_SUBGRAPH", `no subgraph ${subgraph} has been published`);
  return versions;
}

export async function subgraphHistory(store: RegistryStore, subgraph: string): Promise<SubgraphHistoryEntry[]> {
  const versions = await publishedVersions(store, subgraph);
  const current = new Set((await store.currentSubgraphs()).map((s) => s.id));
  const out: SubgraphHistoryEntry[] = [];
  for (const v of versions) {
    out.push({
      version: v.version, routingUrl: v.routingUrl, owner: v.owner, publisher: v.publisher, publishedAt: v.publishedAt, current: current.has(v.id),
      supergraphVersions: await store.producedBy(v.id), approvals: v.report.approvals.granted, warnings: v.report.warnings,
      changes: { breaking: v.report.changes.breaking.length, dangerous: v.report.changes.dangerous.length, safe: v.report.changes.safe.length },
    });
  }
  return out;
}

export async function requireSupergraph(store: RegistryStore, v?: number): Promise<SupergraphVersion> {
  const s = v === undefined ? await store.current() : await store.supergraph(v);
  if (!s) throw new RegistryError("UNKNOWN_VERSION", v === undefined ? "the registry is empty: seed it (start the gateway once) or publish a subgraph" : `there is no supergraph version ${v}`);
  return s;
}

export interface DiffResult {
  from: string;
  to: string;
  changes: ChangeSet;
}

/** Changes between two supergraph versions (default: the current one on either side). */
export async function diffSupergraphs(store: RegistryStore, from?: number, to?: number): Promise<DiffResult> {
  const a = await requireSupergraph(store, from);
  const b = await requireSupergraph(store, to);
  return { from: `supergraph@${a.version}`, to: `supergraph@${b.version}`, changes: await schemaChanges(apiSchemaOf(a.sdl), apiSchemaOf(b.sdl)) };
}

/**
 * Changes a subgraph's versions make, each composed with the current versions of the others: from version
 * `from` (default: the current graph) to version `to` or to the given SDL (default: the current graph).
 */
export async function diffSubgraph(store: RegistryStore, subgraph: string, args: { from?: number; to?: number; sdl?: string }): Promise<DiffResult> {
  const cur = await requireSupergraph(store);
  const versions = args.sdl !== undefined && args.from === undefined && args.to === undefined ? await store.subgraphVersions(subgraph) : await publishedVersions(store, subgraph);
  const others = (await store.currentSubgraphs()).filter((s) => s.subgraph !== subgraph).map((s) => ({ name: s.subgraph, url: s.routingUrl, sdl: s.sdl }));
  const url = versions.at(-1)?.routingUrl ?? "http://localhost/graphql";
  const sdlOf = (v: number) => {
    const found = versions.find((x) => x.version === v);
    if (!found) throw new RegistryError("UNKNOWN_VERSION", `subgraph ${subgraph} has no version ${v}`);
    return found.sdl;
  };
  const compose = (sdl: string, label: string) => {
    const c = composeDetailed([...others, { name: subgraph, url, sdl }]);
    if (!c.ok) throw new RegistryError("COMPOSITION_FAILED", `${label} does not compose: ${c.errors[0]?.message}`, { composition: c.errors });
    return c.supergraphSdl;
  };
  const side = (v: number | undefined, sdl: string | undefined, given: string) =>
    sdl !== undefined ? { label: given, sdl: compose(sdl, given) } : v !== undefined ? { label: `${subgraph}@${v}`, sdl: compose(sdlOf(v), `${subgraph}@${v}`) } : { label: `supergraph@${cur.version}`, sdl: cur.sdl };
  const a = side(args.from, undefined, "");
  const b = side(args.to, args.sdl, `${subgraph} (given SDL)`);
  return { from: a.label, to: b.label, changes: await schemaChanges(apiSchemaOf(a.sdl), apiSchemaOf(b.sdl)) };
}
