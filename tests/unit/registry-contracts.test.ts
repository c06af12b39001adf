/** Contracts cut by @tag filters, operation ids, approval subjects: the registry's pure functions. */
import { readFileSync } from "node:fs";
import { composeSources, SUPERGRAPH_PATH } from "../../schema/composition";
import { contractSchema, fieldCoordinates, readContractsFile, readTags } from "../../schema/registry/contracts";
import { operationId } from "../../schema/registry/operations";
import { SUBJECT } from "../../schema/registry/approvals";
import { readGovernance } from "../../gateway/src/governance/requirements";

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@tag"])\n';
function supergraph(sdl: string): string {
  const r = composeSources([{ name: "a", url: "http://a/graphql", sdl: LINK + sdl }]);
  if (r.errors) throw new Error(r.errors.map((e) => e.message).join("\n"));
  return r.supergraphSdl;
}
const coords = (sdl: string) => [...fieldCoordinates(sdl)].sort();

describe("contractSchema", () => {
  const sg = supergraph(`
    type Query { open: Office, secret: Dossier @tag(name: "secret"), search(term: String, ssn: String @tag(name: "secret")): [Office], dossiers(filter: Filter): [Office] }
    type Office { name: String, phone: String @tag(name: "secret"), dossier: Dossier, kind: Kind }
    type Dossier @tag(name: "secret") { notes: String }
    type Hidden { only: String @tag(name: "secret") }
    input Filter { name: String, ssn: String! @tag(name: "secret") }
    enum Kind { A, B @tag(name: "secret") }
  `);

  it("removes excluded fields, fields whose type is removed, arguments and enum values; keeps the root", () => {
    const out = contractSchema(sg, { exclude: ["secret"] }).apiSchemaSdl;
    expect(coords(out)).toEqual(["Office.kind", "Office.name", "Query.dossiers", "Query.open", "Query.search"]);
    expect(out).toContain("search(term: String): [Office]");
    expect(out).not.toContain("Dossier");
    expect(out).toMatch(/enum Kind \{\s+A\s+\}/);
  });

  it("an input type whose required field is excluded goes (and so do the arguments taking it); types left empty or unreachable go", () => {
    const out = contractSchema(sg, { exclude: ["secret"] }).apiSchemaSdl;
    expect(out).toContain("dossiers: [Office]");
    expect(out).not.toContain("input Filter");
    expect(out).not.toContain("Hidden");
  });

  it("with an include list keeps only included fields (a type's tag includes its fields)", () => {
    const tagged = supergraph(`
      type Query { offices: [Office] @tag(name: "public"), other: Int }
      type Office @tag(name: "public") { name: String, rooms: [Room] }
      type Room { number: Int }
    `);
    expect(coords(contractSchema(tagged, { include: ["public"] }).apiSchemaSdl)).toEqual(["Office.name", "Query.offices"]);
    expect(coords(contractSchema(tagged, {}).apiSchemaSdl)).toEqual(["Office.name", "Office.rooms", "Query.offices", "Query.other", "Room.number"]);
  });
});

describe("our contracts", () => {
  const sdl = readFileSync(SUPERGRAPH_PATH, "utf8");
  const rules = readGovernance(sdl).rules;
  const tags = readTags(sdl);
  const contracts = Object.fromEntries(readContractsFile().map((c) => [c.name, c]));

  it("property-company: no public-security field, nothing internal or sensitive, no personal class above PERSONAL", () => {
    const cs = coords(contractSchema(sdl, contracts["property-company"]).apiSchemaSdl);
    expect(cs).toEqual(expect.arrayContaining(["Building.address", "Unit.currentResidents", "Residence.movedIn", "Citizen.residences"]));
    expect(cs.filter((c) => rules.get(c)?.sensitivity?.class === "SENSITIVE")).toEqual([]);
    expect(cs.filter((c) => ["public-security", "internal", "sensitive"].some((t) => tags.get(c)?.has(t)))).toEqual([]);
    expect(cs.filter((c) => /^(Household|HouseholdMember|ResidencePermit|AccessRecord|Finding)\./.test(c) || c === "Citizen.name" || c === "Citizen.idNumber")).toEqual([]);
  });

  it("public-portal: only public-tagged fields, none of them personal", () => {
    const cs = coords(contractSchema(sdl, contracts["public-portal"]).apiSchemaSdl);
    expect(cs).toEqual(expect.arrayContaining(["Query.communities", "Community.name", "Building.hasElevator"]));
    expect(cs.filter((c) => !tags.get(c)?.has("public"))).toEqual([]);
    expect(cs.filter((c) => rules.get(c)?.sensitivity)).toEqual([]);
  });
});

describe("operation ids", () => {
  it("are the sha256 of the normalised document: formatting and comments do not change them, content does", () => {
    const a = operationId("query Q { citizen(id: \"P1\") { name } }");
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(operationId("# a comment\nquery Q {\n  citizen(id: \"P1\") {\n    name\n  }\n}\n")).toBe(a);
    expect(operationId("query Q { citizen(id: \"P1\") { name, phone } }")).not.toBe(a);
    expect(operationId("query Q { citizen(id: \"P2\") { name } }")).not.toBe(a);
  });
});

describe("approval subjects", () => {
  it("are the three stable forms, nothing else", () => {
    for (const ok of ["downgrade:Citizen.phone:PERSONAL>NONE", "downgrade:Query.citizenByIdNumber(idNumber:):SENSITIVE>PERSONAL", "transfer:Citizen.phone:public-security>civil-affairs", "exposure:property-company:Building.colour"]) expect([ok, SUBJECT.test(ok)]).toEqual([ok, true]);
    for (const bad of ["downgrade:Citizen.phone", "transfer:Citizen:a>b", "exposure:Property:Building.colour", "anything"]) expect([bad, SUBJECT.test(bad)]).toEqual([bad, false]);
  });
});
