/**
 * One department's outage nulls only its own fields (README: what a department's outage nulls). The rule
 * (schema/registry/outage.ts) over composed supergraphs: our committed one is contained; each way of
 * breaking it — a non-null root field, a non-null link into another department's entity from any of the
 * departments, a non-null field added to another department's entity — is found; and what cannot spread
 * (key fields, links within one department, nullable fields of the target) is not flagged.
 */
import { readFileSync } from "node:fs";
import { composeSources, readSources, SUPERGRAPH_PATH, type SubgraphSource } from "../../schema/composition";
import { apiSchemaOf } from "../../schema/registry/composition";
import { outageSpreads } from "../../schema/registry/outage";
import { renderReport } from "../../schema/cli/render";
import { edit } from "../helpers/registry";

const spreads = (sdl: string) => outageSpreads(sdl, apiSchemaOf(sdl)).map((s) => `${s.type}.${s.field} ← ${s.involves.join("+")}`);

/** Our subgraphs with one text edit in one of them, composed. */
function composedWith(subgraph: string, from: string, to: string): string {
  const sources: SubgraphSource[] = readSources().map((s) => (s.name === subgraph ? { ...s, sdl: edit(s.sdl, from, to) } : s));
  const r = composeSources(sources);
  if (r.errors) throw new Error(r.errors.map((e) => e.message).join("\n"));
  return r.supergraphSdl;
}

it("finds nothing in the committed supergraph", () => {
  expect(spreads(readFileSync(SUPERGRAPH_PATH, "utf8"))).toEqual([]);
});

it.each([
  ["a non-null root list (civil affairs)", "civil-affairs", "  communities: [Community!] @tag", "  communities: [Community!]! @tag", "Query.communities ← civil-affairs"],
  ["a non-null root connection (property management)", "property-management", 'communityId: ID, first: Int = 50, after: String): BuildingConnection @tag', 'communityId: ID, first: Int = 50, after: String): BuildingConnection! @tag', "Query.buildings ← property-management"],
  ["a non-null link from property management into civil affairs", "property-management", "  community: Community @tag", "  community: Community! @tag", "Building.community ← property-management+civil-affairs"],
  ["a non-null link from elderly care into civil affairs", "elderly-care", "  grid: Grid\n", "  grid: Grid!\n", "ElderProfile.grid ← elderly-care+civil-affairs"],
  ["a non-null link from public security into civil affairs", "public-security", '  community: Community @tag(name: "public-security")', '  community: Community! @tag(name: "public-security")', "Household.community ← public-security+civil-affairs"],
  ["a non-null field property management adds to civil affairs' Grid", "property-management", '  buildings(first: Int = 50, after: String): BuildingConnection @tag(name: "public")', '  buildings(first: Int = 50, after: String): BuildingConnection! @tag(name: "public")', "Community.grids ← civil-affairs+property-management"],
])("finds %s", (_label, subgraph, from, to, expected) => {
  expect(spreads(composedWith(subgraph, from, to))).toContain(expected);
});

it("does not flag what cannot spread: links within one department, key fields, nullable fields of the target", () => {
  const sdl = readFileSync(SUPERGRAPH_PATH, "utf8");
  // Civil affairs' own non-null links (Grid.community: Community!, Community.grids: [Grid!]!) and property
  // management's (Unit.building: Building!) stay non-null: what other departments add to those types is nullable.
  expect(sdl).toMatch(/community: Community! @join__field\(graph: CIVIL_AFFAIRS/);
  expect(sdl).toMatch(/building: Building!/);
  expect(spreads(sdl)).toEqual([]);

  // Two departments: B links to A's entity. Only A's non-key, non-null fields can go missing in an outage.
  const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])\n';
  const pair = (nameType: string, linkType: string) => {
    const r = composeSources([
      { name: "a", url: "http://a/graphql", sdl: `${LINK}type Query { a(id: ID!): A }\ntype A @key(fields: "id") { id: ID!\n name: ${nameType} }` },
      { name: "b", url: "http://b/graphql", sdl: `${LINK}type Query { b(id: ID!): B }\ntype B @key(fields: "id") { id: ID!\n a: ${linkType} }\ntype A @key(fields: "id", resolvable: false) { id: ID! }` },
    ]);
    if (r.errors) throw new Error(r.errors.map((e) => e.message).join("\n"));
    return spreads(r.supergraphSdl);
  };
  expect(pair("String!", "A!")).toEqual(["B.a ← b+a"]);
  expect(pair("String", "A!")).toEqual([]); // A's only non-null field is its key, delivered by B
  expect(pair("String!", "A")).toEqual([]);
  expect(pair("String!", "[A!]")).toEqual([]); // an item's null nulls the list, which is nullable
  expect(pair("String!", "[A]!")).toEqual([]); // the null stops at the nullable item
  expect(pair("String!", "[A!]!")).toEqual(["B.a ← b+a"]);
});

it("renders the check report's lint warnings in the text output", () => {
  const text = renderReport({
    ok: true, subgraph: "property-management", base: 1, composition: { ok: true, errors: [] },
    changes: { breaking: [], dangerous: [], safe: [] }, operations: { windowDays: 7, affected: [] },
    lint: { errors: [], warnings: [{ rule: "outage-contained", message: "Building.community … make the link nullable" }] },
    approvals: { required: [], granted: [] }, governance: [], warnings: [], refusals: [],
  } as never);
  expect(text).toContain("policy lint warnings:\n  - [outage-contained] Building.community … make the link nullable");
});
