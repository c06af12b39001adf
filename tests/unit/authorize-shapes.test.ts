/**
 * Authorization and the response walk on shapes the shipped schema does not have yet but a fifth
 * department may bring: interfaces and unions, requirements on types, enums and interfaces, and
 * @authenticated. Built on a small schema of its own.
 */
import { buildSchema, Kind, parse, print, type OperationDefinitionNode } from "graphql";
import { authorize } from "../../gateway/src/governance/authorize";
import { readGovernance } from "../../gateway/src/governance/requirements";
import { parsePolicy } from "../../gateway/src/governance/policy";
import { processResponse } from "../../gateway/src/governance/response";
import { maskValue } from "../../gateway/src/governance/mask";

const SDL = `
directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @policy(policies: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @sensitivity(class: String!, mask: String) on FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION
directive @owner(field: String!, parents: [String!]) on OBJECT

type Query {
  case(id: ID!): Case @sensitivity(class: "PERSONAL")
  search(q: String): [SearchHit!] @sensitivity(class: "PERSONAL")
  notices: [String!] @authenticated
  level: Level
}
type Citizen @owner(field: "id") { id: ID! name: String @sensitivity(class: "PERSONAL", mask: "NAME") }
interface Case { id: ID! subject: Citizen @sensitivity(class: "PERSONAL") note: String }
type HealthCase implements Case @owner(field: "subject") @requiresScopes(scopes: [["read:health"]]) {
  id: ID! subject: Citizen @sensitivity(class: "PERSONAL") note: String @sensitivity(class: "SENSITIVE", mask: "TEXT") diagnosis: String
}
type HousingCase implements Case @owner(field: "subject") {
  id: ID! subject: Citizen @sensitivity(class: "PERSONAL") note: String
}
union SearchHit = HealthCase | HousingCase | Citizen
enum Level @requiresScopes(scopes: [["read:levels"]]) { LOW HIGH }
`;
const schema = buildSchema(SDL);
const gov = readGovernance(SDL);
const policy = parsePolicy(`
purposes: { work: work }
masks: { NAME: { keepStart: 1, keepEnd: 0 }, TEXT: { keepStart: 0, keepEnd: 0 } }
policies: {}
roles:
  clerk: { label: clerk, rowScope: district, scopes: [read:cases], purposes: { work: { PUBLIC: allow, INTERNAL: allow, PERSONAL: allow, SENSITIVE: mask } } }
  nurse: { label: nurse, rowScope: district, scopes: [read:health, read:levels], purposes: { work: { PUBLIC: allow, INTERNAL: allow, PERSONAL: allow, SENSITIVE: allow } } }
`);
const caller = (role: string) => ({ sub: "u", name: "u", org: "o", role, scopes: policy.roles[role].scopes, area: { grids: [], communities: [], buildings: [] } });
const op = (q: string) => parse(q).definitions[0] as OperationDefinitionNode;

describe("requirements read from the schema", () => {
  it("an interface field requires what every implementation of it requires (AND of type and field rules)", () => {
    // HealthCase is scoped read:health as a type, and its note is SENSITIVE: a selection on Case.note may return it.
    expect(gov.rules.get("Case.note")).toEqual({ scopes: [["read:health"]], sensitivity: { class: "SENSITIVE", mask: "TEXT" } });
    expect(gov.rules.get("HealthCase.diagnosis")).toEqual({ scopes: [["read:health"]] });
  });

  it("a requirement on an enum applies to every field returning it", () => {
    expect(gov.rules.get("Query.level")).toEqual({ scopes: [["read:levels"]] });
  });

  it("combines requirements on a type and its field with AND, never OR", () => {
    const g = readGovernance(SDL.replace("diagnosis: String", 'diagnosis: String @requiresScopes(scopes: [["read:diagnosis"]])'));
    expect(g.rules.get("HealthCase.diagnosis")?.scopes).toEqual([["read:health", "read:diagnosis"]]);
  });

  it("reads owners from @owner", () => {
    expect(gov.owners.get("HealthCase")).toEqual({ field: "subject", parents: [] });
    expect(gov.owners.get("Citizen")).toEqual({ field: "id", parents: [] });
  });
});

describe("authorization on interfaces, unions, enums and @authenticated", () => {
  it("denies a field selected on an interface when an implementation requires more", () => {
    // HealthCase is scoped as a type: any field of Case may come from one, so each needs read:health.
    const a = authorize(schema, op(`{ case(id: "1") { id note } }`), gov, policy, caller("clerk"), "work");
    expect(a.denied.map((d) => d.coordinate)).toEqual(["Case.id", "Case.note"]);
    const ok = authorize(schema, op(`{ case(id: "1") { ... on HousingCase { id note } } }`), gov, policy, caller("clerk"), "work");
    expect(ok.denied).toEqual([]);
  });

  it("denies fields of a type the caller lacks the scope for, inside a union fragment", () => {
    const a = authorize(schema, op(`{ search(q: "x") { ... on HealthCase { diagnosis } ... on HousingCase { note } } }`), gov, policy, caller("clerk"), "work");
    expect(a.denied.map((d) => d.coordinate)).toEqual(["HealthCase.diagnosis"]);
    // The emptied fragment keeps a placeholder, and __typename is injected where the type is abstract.
    expect(print(a.document!)).toContain("_cg_t: __typename");
  });

  it("denies an enum-typed field without the enum's scope", () => {
    expect(authorize(schema, op(`{ level }`), gov, policy, caller("clerk"), "work").denied.map((d) => d.coordinate)).toEqual(["Query.level"]);
    expect(authorize(schema, op(`{ level }`), gov, policy, caller("nurse"), "work").denied).toEqual([]);
  });

  it("enforces @authenticated: an anonymous caller is denied, a signed-in one is not", () => {
    expect(authorize(schema, op(`{ notices }`), gov, policy, null, null).denied.map((d) => d.reason)).toEqual(["requires an authenticated caller"]);
    expect(authorize(schema, op(`{ notices }`), gov, policy, caller("clerk"), "work").denied).toEqual([]);
  });

  it("denies an anonymous caller every personal field", () => {
    expect(authorize(schema, op(`{ case(id: "1") { id } }`), gov, policy, null, null).denied.map((d) => d.coordinate)).toEqual(["Query.case"]);
  });
});

describe("the response walk on abstract types", () => {
  it("masks, records owners per concrete type and strips what it injected", () => {
    const a = authorize(schema, op(`{ search(q: "x") { ... on HealthCase { note subject { name } } ... on HousingCase { id } ... on Citizen { name } } }`), gov, policy, caller("clerk"), "work");
    const executed = a.document!.definitions[0] as OperationDefinitionNode;
    expect(executed.kind).toBe(Kind.OPERATION_DEFINITION);
    const data: any = {
      search: [
        { _cg_t: "HousingCase", id: "h1", _cg_owner: { _cg_owner: "P2" } },
        { _cg_t: "Citizen", name: "王小明", _cg_owner: "P3" },
      ],
    };
    const summary = processResponse(schema, executed, data, gov, (k, v) => maskValue(policy, k, v), a.masked);
    expect(JSON.stringify(data)).not.toContain("_cg_");
    expect(data.search[1].name).toBe("王小明");
    expect([...summary.citizens].sort()).toEqual(["P2", "P3"]);
    expect(summary.unattributed).toBe(0);
  });

  it("withholds an object of a type the operation did not expect, and counts it unattributed", () => {
    const a = authorize(schema, op(`{ search(q: "x") { ... on HousingCase { id } } }`), gov, policy, caller("clerk"), "work");
    const data: any = { search: [{ _cg_t: "Unexpected", secret: "x" }] };
    const summary = processResponse(schema, a.document!.definitions[0] as OperationDefinitionNode, data, gov, (k, v) => maskValue(policy, k, v), a.masked);
    expect(JSON.stringify(data)).not.toContain("secret");
    expect(summary.unattributed).toBe(1);
  });

  it("counts a personal value of an owned type whose owner is missing (fail closed)", () => {
    const a = authorize(schema, op(`{ case(id: "1") { ... on HousingCase { note } } }`), gov, policy, caller("clerk"), "work");
    const data: any = { case: { _cg_t: "HousingCase", note: "x" } };
    const summary = processResponse(schema, a.document!.definitions[0] as OperationDefinitionNode, data, gov, (k, v) => maskValue(policy, k, v), a.masked);
    expect(summary.unattributed).toBeGreaterThan(0);
  });
});
