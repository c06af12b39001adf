/**
 * The registry's interfaces for the gateway: seeding from the SDL files, the SupergraphManager (live
 * updates, last good supergraph on disk, never a version the gateway cannot load), batched usage records —
 * and a real Apollo Gateway that takes a fifth department from a publish, without a restart or code change.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse } from "graphql";
import { SUPERGRAPH_PATH, supergraphFile } from "../../schema/composition";
import { withoutSecurityPurpose } from "../../schema/registry/composition";
import { openRegistry, type Registry } from "../../schema/registry/registry";
import { createSupergraphSource, readCache } from "../../schema/registry/supergraph-source";
import { servedSince } from "../../schema/registry/usage";
import { SYSTEM_ACTOR } from "../../schema/registry/types";
import { edit, sdlOf, serveSubgraph, tempDir } from "../helpers/registry";

jest.setTimeout(120_000);

let dir: string;
let registry: Registry;
const steward = { sub: "steward-1", role: "data-steward", org: "数据局" };
const noHooks = { healthCheck: async () => undefined, getDataSource: () => { throw new Error("unused"); } };

/** Waits (bounded) until a condition holds: for what a poll interval delivers. */
async function until(cond: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  dir = tempDir("cg-registry-gw-");
  registry = await openRegistry({ dataDir: join(dir, "registry"), usageWindowMs: 7 * 86_400_000, pollMs: 1000, cacheFile: join(dir, "cache.graphql") }, { usage: { flushMs: 30, maxPending: 1000 } });
});
afterAll(async () => {
  await registry.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("seedFromFiles", () => {
  it("publishes schema/supergraph.yaml's subgraphs as version 1, equal to what `npm run compose` writes; only once", async () => {
    const seeded = await registry.seedFromFiles();
    expect(seeded).toMatchObject({ version: 1, reason: "seed" });
    expect(supergraphFile(seeded!.sdl)).toBe(readFileSync(SUPERGRAPH_PATH, "utf8"));
    expect(seeded!.inputs).toHaveLength(6);
    expect((await registry.store.subgraphVersion("civil-affairs", 1))?.sdl).toBe(sdlOf("civil-affairs")); // stored verbatim, Chinese included
    expect((await registry.subgraphs(steward)).map((s) => [s.subgraph, s.owner])).toEqual([
      ["access-log", "data-stewards"], ["civil-affairs", "civil-affairs"], ["elderly-care", "elderly-care"], ["insights", "data-stewards"], ["property-management", "property-management"], ["public-security", "public-security"],
    ]);
    expect(await registry.seedFromFiles()).toBeNull();
    expect((await registry.contracts(steward)).map((c) => c.name)).toEqual(["property-company", "public-portal"]);
    const schemas = await registry.contractSchemas();
    expect(schemas.map((c) => [c.name, c.apiSchemaSdl.includes("type Query")])).toEqual([["property-company", true], ["public-portal", true]]);
  });
});

describe("createSupergraphSource", () => {
  const add = (sdl: string, n: number) => edit(sdl, '  "Number of floors (层数)."', `  "Extra field ${n} (附加字段)."\n  extra${n}: Int @tag(name: "internal")\n  "Number of floors (层数)."`);

  it("serves the current supergraph, writes it to disk, and hands each new version to the gateway", async () => {
    const cacheFile = join(dir, "gw1", "supergraph.graphql");
    const updates: string[] = [];
    const source = createSupergraphSource(registry, { pollMs: 25, cacheFile });
    const { supergraphSdl, cleanup } = await source.initialize({ update: (s) => void updates.push(s), ...noHooks });
    const current = (await registry.currentSupergraph())!;
    expect(supergraphSdl).toBe(current.sdl);
    expect(readCache(cacheFile)).toEqual({ version: current.version, sdl: current.sdl });
    const published = await registry.publish(steward, { subgraph: "property-management", sdl: add(sdlOf("property-management"), 1) });
    await until(() => updates.length === 1);
    expect(updates[0]).toBe(published.supergraph.sdl);
    expect(source.version).toBe(published.supergraph.version);
    expect(readCache(cacheFile)?.version).toBe(published.supergraph.version);
    await cleanup!();
  });

  it("keeps serving when the gateway cannot load a version, and does not offer that version again", async () => {
    const cacheFile = join(dir, "gw2", "supergraph.graphql");
    let calls = 0;
    const errors: string[] = [];
    const source = createSupergraphSource(registry, { pollMs: 60_000, cacheFile, onError: (_e, what) => errors.push(what) });
    const { cleanup } = await source.initialize({ update: () => { calls++; throw new Error("cannot plan"); }, ...noHooks });
    const before = source.version;
    await registry.publish(steward, { subgraph: "property-management", sdl: add(add(sdlOf("property-management"), 1), 2) });
    expect(await source.refresh()).toBe(false);
    expect(await source.refresh()).toBe(false);
    expect([calls, source.version, readCache(cacheFile)?.version]).toEqual([1, before, before]);
    expect(errors).toEqual([expect.stringContaining("could not load supergraph version")]);
    await cleanup!();
  });

  it("starts from the last good supergraph on disk when the registry is unreachable, keeps serving while it is, and refuses to start with neither", async () => {
    const cacheFile = join(dir, "gw1", "supergraph.graphql");
    const cached = readCache(cacheFile)!;
    const down = { current: () => Promise.reject(new Error("ECONNREFUSED")), currentVersion: () => Promise.reject(new Error("ECONNREFUSED")) };
    const errors: string[] = [];
    const source = createSupergraphSource(down, { pollMs: 60_000, cacheFile, onError: (_e, what) => errors.push(what) });
    const started = await source.initialize({ update: () => { throw new Error("no update expected"); }, ...noHooks });
    expect(started.supergraphSdl).toBe(cached.sdl);
    expect(source.version).toBe(cached.version);
    expect(await source.refresh()).toBe(false);
    expect(errors).toEqual([expect.stringContaining("unreachable at start"), expect.stringContaining("registry unreachable")]);
    await started.cleanup!();
    const none = createSupergraphSource(down, { pollMs: 60_000, cacheFile: join(dir, "nowhere", "s.graphql") });
    await expect(none.initialize({ update: () => undefined, ...noHooks })).rejects.toThrow(/no last good supergraph/);
    expect(existsSync(join(dir, "nowhere"))).toBe(false);
  });
});

describe("recordUsage", () => {
  it("batches entries per operation, client, contract, purpose and hour, and writes counts only", async () => {
    const at = new Date();
    const e = { operationHash: "b".repeat(64), operationName: "Elders", clientName: "grid-app", clientVersion: "3.1", fields: ["Query.priorityElders", "ElderProfile.careLevel"], purpose: "welfare-check", at };
    registry.recordUsage([e, e, { ...e, contract: "property-company" }]);
    registry.recordUsage([e]);
    await registry.flushUsage();
    const served = await servedSince(registry.store.db, new Date(at.getTime() - 3_600_000), "grid-app");
    expect(served.map((s) => [s.contract, s.count, s.fields])).toEqual([[null, 3, ["ElderProfile.careLevel", "Query.priorityElders"]], ["property-company", 1, ["ElderProfile.careLevel", "Query.priorityElders"]]]);
    registry.recordUsage([{ ...e, purpose: "emergency-response" }]);
    // Written by the recorder's own timer (flushMs 30), without a flush call.
    const end = Date.now() + 5000;
    while ((await servedSince(registry.store.db, new Date(at.getTime() - 3_600_000), "grid-app"))[0]?.count !== 4 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    const report = await registry.usage(steward);
    const care = report.personalData.filter((u) => u.client === "grid-app" && u.field === "ElderProfile.careLevel");
    expect(care).toEqual([
      expect.objectContaining({ contract: null, class: "SENSITIVE", purposes: { "welfare-check": 3, "emergency-response": 1 }, count: 4 }),
      expect.objectContaining({ contract: "property-company", purposes: { "welfare-check": 1 }, count: 1 }),
    ]);
  });
});

describe("a fifth department joins by a publish: a real Apollo Gateway switches without restart", () => {
  const HOUSING = `extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@tag"])

"""
Housing office (住房保障): public-rental housing applications. Joins the graph at run time.
"""
type Query {
  "Housing offices of the district (住房保障办公室)."
  housingOffices: [HousingOffice!]! @tag(name: "internal")
}

"A housing office (住房保障办公室)."
type HousingOffice {
  "Office name."
  name: String!
}
`;
  let server: Awaited<ReturnType<typeof serveSubgraph>>;
  let url: string;
  beforeAll(async () => {
    server = await serveSubgraph(buildSubgraphSchema([{ typeDefs: parse(HOUSING), resolvers: { Query: { housingOffices: () => [{ name: "安和街道住房保障办公室" }] } } }]));
    url = server.url;
  });
  afterAll(() => server.close());

  it("serves the new subgraph's fields after the publish, with no gateway code change", async () => {
    const source = createSupergraphSource(registry, { pollMs: 25, cacheFile: join(dir, "gw3", "s.graphql"), transform: withoutSecurityPurpose });
    const gateway = new ApolloGateway({ supergraphSdl: source });
    const apollo = new ApolloServer({ gateway });
    await apollo.start();
    const ask = async () => {
      const r = await apollo.executeOperation({ query: "{ housingOffices { name } }" });
      return r.body.kind === "single" ? r.body.singleResult : null;
    };
    expect((await ask())?.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    const before = source.version!;
    const published = await registry.publish(SYSTEM_ACTOR, { subgraph: "housing", sdl: HOUSING, routingUrl: url, owner: "housing" });
    expect(published.supergraph.version).toBe(before + 1);
    await until(() => source.version === before + 1);
    expect(await ask()).toEqual({ data: { housingOffices: [{ name: "安和街道住房保障办公室" }] } });
    await apollo.stop();
  });
});
