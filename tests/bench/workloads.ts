/**
 * The workloads: real operations from schema/operations (plus one deep query in ./operations), with
 * variables that point at records that exist in the benchmark's data set. The records are looked up once,
 * from the departments themselves (they serve unsigned requests as a district-wide caller with
 * ACCEPT_UNSIGNED=true).
 *
 * Each workload rotates through a pool of distinct variable sets (more than the connections), so requests
 * in flight at the same moment differ, as they do in real traffic. With one identical request on every
 * connection (`--same-request`), a gateway that coalesces identical in-flight subgraph fetches (Hive
 * Gateway does by default) serves most requests from another request's subgraph responses.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { postJson } from "./http";

export interface Workload {
  name: string;
  /** What it is, for the report. */
  title: string;
  operationName: string;
  query: string;
  /** Variable sets; requests take them in turn. */
  pool: Record<string, unknown>[];
  /** A problem with a response's data (empty result, missing root), or null when it is fine. */
  check(data: Record<string, any>): string | null;
  /**
   * For workloads that page with `after`: a query with the same `priorityElders` arguments as the operation
   * (variables gridId or communityId, and first), to learn the cursors a gateway's caller gets for this
   * list — cursors are bound to the list, its filter arguments and the caller.
   */
  cursorProbe?: string;
  /** The list the probe reads (default: the grid's). */
  cursorList?: "grid" | "community";
}

const probe = (list: "grid" | "community", args: string, vars: string) =>
  `query CursorProbe($${list}Id: ID!, $first: Int${vars}) { ${list}(id: $${list}Id) { priorityElders(first: $first${args}) { edges { cursor node { citizen { id } } } } } }`;
/** The filter arguments of the priority-elder pages (GridPriorityElders, CommunityPriorityElders). */
const FILTER: [string, string] = [", filter: { categories: $categories, minCareLevel: $minCareLevel }", ", $categories: [PriorityCategory!], $minCareLevel: Int"];
const PAGE_PROBE = probe("grid", ...FILTER);
const COMMUNITY_PROBE = probe("community", ...FILTER);

export interface DataFacts {
  communities: string[];
  gridId: string;
  gridPriorityElders: number;
  /** Cursors of the grid's priority elders, in list order (from the grid's own list). */
  gridCursors: string[];
  gridElderIds: string[];
  communityId: string;
  communityPriorityElders: number;
  communityCursors: string[];
  /** The community's priority elders, in list order (absent in recordings made before it was kept). */
  communityElderIds?: string[];
  /** Households of several members, with their member counts. */
  households: { id: string; members: number }[];
}

async function ask(url: string, query: string, variables: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await postJson(url, JSON.stringify({ query, variables }));
  const body = JSON.parse(res.text) as { data?: Record<string, any>; errors?: { message: string }[] };
  if (res.status !== 200 || body.errors?.length || !body.data) throw new Error(`${url}: HTTP ${res.status} ${JSON.stringify(body.errors ?? body).slice(0, 300)}`);
  return body.data;
}

/** The priority elders of a grid or community, as the gateway's field resolves them (so the cursors fit). */
async function eldersOf(url: string, typename: "Grid" | "Community", id: string) {
  const data = await ask(
    url,
    `query($r: [_Any!]!) { _entities(representations: $r) { ... on ${typename} { priorityElders(first: 1000) { totalCount edges { cursor node { citizen { id } } } } } } }`,
    { r: [{ __typename: typename, id }] },
  );
  const c = data._entities[0].priorityElders as { totalCount: number; edges: { cursor: string; node: { citizen: { id: string } } }[] };
  return { total: c.totalCount, cursors: c.edges.map((e) => e.cursor), ids: c.edges.map((e) => e.node.citizen.id) };
}

/** Looks up the records the workloads use, asking each department directly. */
export async function discoverFacts(urls: Record<string, string>, gridId = "G-0101"): Promise<DataFacts> {
  const communities = ((await ask(urls["civil-affairs"], "{ communities { id } }")).communities as { id: string }[]).map((c) => c.id).sort();
  if (!communities.length) throw new Error("civil-affairs has no communities: is the data set seeded?");
  const communityId = communities[0];
  const grid = await eldersOf(urls["elderly-care"], "Grid", gridId);
  const community = await eldersOf(urls["elderly-care"], "Community", communityId);
  if (!grid.ids.length) throw new Error(`no priority elder in ${gridId}`);
  // Households of a typical size (three or more members) among registered citizens.
  const people = (await ask(urls["public-security"], `{ citizensByStatus(status: REGISTERED, first: 1000) { edges { node { household { id members { citizen { id } } } } } } }`)).citizensByStatus;
  const seen = new Map<string, number>();
  for (const e of people.edges as { node: { household: { id: string; members: unknown[] | null } | null } }[]) {
    if (e.node.household && (e.node.household.members?.length ?? 0) >= 3) seen.set(e.node.household.id, e.node.household.members!.length);
  }
  if (!seen.size) throw new Error("no household with three or more members");
  return {
    communities,
    gridId,
    gridPriorityElders: grid.total,
    gridCursors: grid.cursors,
    gridElderIds: grid.ids,
    communityId,
    communityPriorityElders: community.total,
    communityCursors: community.cursors,
    communityElderIds: community.ids,
    households: [...seen].map(([id, members]) => ({ id, members })),
  };
}

const root = join(__dirname, "../..");
const operation = (file: string) => readFileSync(file, "utf8");
const schemaOp = (name: string) => operation(join(root, "schema/operations", `${name}.graphql`));

const nonEmpty = (what: string, v: unknown) => (Array.isArray(v) ? (v.length ? null : `${what} is empty`) : v ? null : `${what} is null`);

export const PAGE = 100;
/** Distinct variable sets per workload (at least the number of connections, so requests in flight differ). */
export const POOL = 100;

/** `after` values giving full pages of `first`: the start of the list, then after each element in turn. */
function pageStarts(cursors: string[], first: number, max: number): (string | null)[] {
  const full = Math.max(0, cursors.length - first);
  return [null, ...cursors.slice(0, full)].slice(0, max);
}

export function buildWorkloads(f: DataFacts, sameRequest = false): Workload[] {
  const limit = (n: number) => (sameRequest ? 1 : Math.min(n, POOL));
  // The priority-elder page of a grid, if the grid has a full page; else of a community.
  const byGrid = f.gridPriorityElders >= PAGE;
  const starts = pageStarts(byGrid ? f.gridCursors : f.communityCursors, PAGE, limit(POOL));
  const pages = `${starts.length === 1 ? "the first page" : `${starts.length} distinct pages (from the start, then after each elder in turn)`}`;
  const elders: Workload = byGrid
    ? {
        name: "priority-elders",
        title: `GridPriorityElders, grid ${f.gridId} (${f.gridPriorityElders} priority elders), first: ${PAGE}, ${pages}`,
        operationName: "GridPriorityElders",
        query: schemaOp("GridPriorityElders"),
        pool: starts.map((after) => ({ gridId: f.gridId, first: PAGE, after })),
        cursorProbe: PAGE_PROBE,
        check: (d) => nonEmpty("grid.priorityElders.edges", d.grid?.priorityElders?.edges) ?? (d.grid.priorityElders.edges.length < PAGE ? `only ${d.grid.priorityElders.edges.length} elders` : null),
      }
    : {
        name: "priority-elders",
        title: `CommunityPriorityElders, community ${f.communityId} (${f.communityPriorityElders}; grid ${f.gridId} has only ${f.gridPriorityElders}), first: ${PAGE}, ${pages}`,
        operationName: "CommunityPriorityElders",
        query: schemaOp("CommunityPriorityElders"),
        pool: starts.map((after) => ({ communityId: f.communityId, first: PAGE, after })),
        cursorProbe: COMMUNITY_PROBE,
        cursorList: "community",
        check: (d) => nonEmpty("community.priorityElders.edges", d.community?.priorityElders?.edges),
      };
  const people = f.gridElderIds.slice(0, limit(POOL));
  const households = f.households.slice(0, limit(POOL));
  const avgMembers = households.reduce((s, h) => s + h.members, 0) / households.length;
  const deepStarts = pageStarts(f.gridCursors, 20, limit(POOL));
  // The issue's literal workload: the same first page on every connection.
  const eldersSame: Workload = { ...elders, name: "priority-elders-same", title: `${elders.title.replace(/, \d+ distinct pages.*$/, "")}, the first page only: every request identical`, pool: elders.pool.slice(0, 1) };
  return [
    elders,
    ...(sameRequest ? [] : [eldersSame]),
    {
      name: "person-file",
      title: `PersonFile, ${people.length === 1 ? `citizen ${people[0]}` : `${people.length} citizens in turn (the priority elders of ${f.gridId}, from ${people[0]})`}`,
      operationName: "PersonFile",
      query: schemaOp("PersonFile"),
      pool: people.map((id) => ({ id })),
      check: (d) => nonEmpty("citizen", d.citizen) ?? nonEmpty("citizen.name", d.citizen.name) ?? nonEmpty("citizen.residences", d.citizen.residences),
    },
    {
      name: "household",
      title: `Household, ${households.length === 1 ? `${households[0].id} (${households[0].members} members)` : `${households.length} households in turn (3+ members, ${avgMembers.toFixed(1)} on average, from ${households[0].id})`}`,
      operationName: "Household",
      query: schemaOp("Household"),
      pool: households.map((h) => ({ id: h.id })),
      check: (d) => nonEmpty("household", d.household) ?? nonEmpty("household.members", d.household.members),
    },
    {
      name: "deep-nested",
      title: `DeepNested (tests/bench/operations/DeepNested.graphql: grid → priority elders → citizen → household → members → citizen → residences → flat → building, current residents → citizen; five dependent fetches, depth 13, since the gateway's shipped MAX_DEPTH is 15), grid ${f.gridId}, first: 20, ${deepStarts.length === 1 ? "the first page" : `${deepStarts.length} distinct pages`}`,
      operationName: "DeepNested",
      query: operation(join(__dirname, "operations/DeepNested.graphql")),
      pool: deepStarts.map((after) => ({ gridId: f.gridId, first: 20, after })),
      cursorProbe: probe("grid", "", ""),
      check: (d) => {
        const edges = d.grid?.priorityElders?.edges as { node: { citizen: { household?: { members?: { citizen: { residences?: { unit: { currentResidents?: unknown[] } }[] } }[] } } } }[] | undefined;
        const names = (edges ?? []).flatMap((e) => e.node.citizen.household?.members ?? []).flatMap((m) => m.citizen.residences ?? []).flatMap((r) => r.unit.currentResidents ?? []);
        return nonEmpty("grid.priorityElders.edges", edges) ?? nonEmpty("…currentResidents", names);
      },
    },
  ];
}

/**
 * The request bodies of a workload, one per variable set. Cursors are bound to the caller that received
 * them: `cursors` maps the cursors of the departments' district-wide caller (what the pools hold) to the
 * same positions' cursors of another caller (our governed gateway's token), see `callerCursors`.
 */
export const bodiesOf = (w: Workload, cursors?: Record<string, string>) =>
  w.pool.map((variables) => {
    const after = variables.after;
    const v = cursors && typeof after === "string" ? { ...variables, after: cursors[after] ?? `unmapped:${after}` } : variables;
    return JSON.stringify({ query: w.query, variables: v, operationName: w.operationName });
  });

/**
 * The grid's priority-elder cursors as a gateway's caller receives them for a workload's list, mapped from
 * the cursors the pools hold (the departments' own, district-wide and unfiltered) by citizen.
 */
export async function callerCursors(url: string, headers: Record<string, string>, f: DataFacts, w: Workload): Promise<Record<string, string> | undefined> {
  if (!w.cursorProbe) return undefined;
  const community = w.cursorList === "community";
  const variables = community ? { communityId: f.communityId, first: 1000 } : { gridId: f.gridId, first: 1000 };
  const res = await postJson(url, JSON.stringify({ query: w.cursorProbe, variables, operationName: "CursorProbe" }), headers);
  type List = { priorityElders?: { edges: { cursor: string; node: { citizen: { id: string } } }[] } };
  const body = JSON.parse(res.text) as { data?: { grid?: List; community?: List }; errors?: unknown[] };
  const edges = (community ? body.data?.community : body.data?.grid)?.priorityElders?.edges;
  if (!edges || body.errors?.length) throw new Error(`cursors of ${w.name} through ${url}: ${res.text.slice(0, 300)}`);
  const byId = new Map(edges.map((e) => [e.node.citizen.id, e.cursor]));
  // The pools hold the departments' own cursors of this list, by position; the ids say whose each is.
  const ids = community ? (f.communityElderIds ?? []) : f.gridElderIds;
  const own = community ? f.communityCursors : f.gridCursors;
  const out: Record<string, string> = {};
  ids.forEach((id, i) => {
    const c = byId.get(id);
    if (c) out[own[i]] = c;
  });
  return out;
}
