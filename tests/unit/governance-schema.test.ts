import { readFileSync } from "node:fs";
import { parse, print, Kind, type OperationDefinitionNode } from "graphql";
import { Supergraph } from "@apollo/federation-internals";
import { authorize } from "../../gateway/src/governance/authorize";
import { join } from "node:path";
import { readGovernance } from "../../gateway/src/governance/requirements";
import { loadPolicy, parsePolicy, CLASSES } from "../../gateway/src/governance/policy";
import { maskString, maskValue } from "../../gateway/src/governance/mask";
import { SUPERGRAPH_PATH } from "../../schema/composition";

const sdl = readFileSync(SUPERGRAPH_PATH, "utf8");
const gov = readGovernance(sdl);
const rules = gov.rules;
const policy = loadPolicy(join(__dirname, "../../schema/policy.yaml"));

describe("sensitivity and scopes in the supergraph", () => {
  it("classifies the personal fields of every department", () => {
    for (const c of ["Citizen.name", "Citizen.idNumber", "Citizen.subsidies", "Citizen.elderProfile", "Citizen.residences", "EmergencyContact.phone"]) {
      expect([c, rules.get(c)?.sensitivity?.class]).toEqual([c, expect.stringMatching(/PERSONAL|SENSITIVE/)]);
    }
    expect(rules.get("Citizen.idNumber")?.sensitivity).toEqual({ class: "SENSITIVE", mask: "ID_NUMBER" });
    expect(rules.get("Citizen.subsidies")?.scopes).toEqual([["read:civil"]]);
  });

  it("uses only known classes and mask kinds", () => {
    for (const [coord, r] of rules) {
      if (!r.sensitivity) continue;
      expect([coord, CLASSES.includes(r.sensitivity.class)]).toEqual([coord, true]);
      if (r.sensitivity.mask) expect([coord, r.sensitivity.mask in policy.masks]).toEqual([coord, true]);
    }
  });

  it("makes every field that can be withheld nullable", () => {
    const doc = parse(sdl);
    const types = new Map<string, Map<string, boolean>>();
    for (const d of doc.definitions) {
      if (d.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
      types.set(d.name.value, new Map((d.fields ?? []).map((f) => [f.name.value, f.type.kind === Kind.NON_NULL_TYPE])));
    }
    const nonNull = [...rules].filter(([coord, r]) => {
      const [t, f] = coord.split(".");
      const withheld = r.scopes || r.policies || (r.sensitivity && r.sensitivity.class !== "PUBLIC");
      return withheld && types.get(t)?.get(f);
    });
    expect(nonNull.map(([c]) => c)).toEqual([]);
  });

  it("names in @policy only policies the policy file defines", () => {
    for (const r of rules.values()) for (const group of r.policies ?? []) for (const p of group) expect(Object.keys(policy.policies)).toContain(p);
  });
});

describe("policy file", () => {
  it("defines the built-in roles", () => {
    expect(Object.keys(policy.roles).sort()).toEqual(["auditor", "citizen", "community-officer", "data-steward", "department-officer", "elderly-care-worker", "grid-worker", "property-staff"]);
  });

  it("rejects a role that names an unknown purpose", () => {
    const bad = readFileSync(join(__dirname, "../../schema/policy.yaml"), "utf8").replace("welfare-check: { PUBLIC", "fishing: { PUBLIC");
    expect(() => parsePolicy(bad)).toThrow(/unknown purpose fishing/);
  });
});

describe("masking", () => {
  it("masks ID numbers, phones and names as documented", () => {
    expect(maskValue(policy, "ID_NUMBER", "11010519491231002X")).toBe("110105********002X");
    expect(maskValue(policy, "PHONE", "13812345678")).toBe("138****5678");
    expect(maskValue(policy, "NAME", "张三丰")).toBe("张**");
    expect(maskValue(policy, "ADDRESS", "北京市朝阳区安和东里1号楼")).toBe("北京市朝阳区****");
    // Always four stars: the length of what is hidden is not shown either.
    expect(maskValue(policy, "ADDRESS", "北京市朝阳区安和东里1号楼3单元502")).toBe("北京市朝阳区****");
    expect(maskValue(policy, "TEXT", "楼道灯坏了，夜里看不见")).toBe("****");
  });

  it("withholds what cannot be partly shown", () => {
    expect(maskValue(policy, undefined, "secret")).toBeNull();
    expect(maskValue(policy, "PHONE", 42)).toBeNull();
    expect(maskValue(policy, "TEXT", [{ a: 1 }])).toBeNull();
    expect(maskString("ab", 3, 4)).toBe("**");
  });
});

describe("owner ids injected for the access log", () => {
  const schema = Supergraph.build(sdl.replace(/(@link\(url: "[^"]+"), for: SECURITY\)/g, "$1)")).apiSchema().toGraphQLJSSchema();
  const caller = { sub: "u", name: "", org: "o", role: "grid-worker", scopes: policy.roles["grid-worker"].scopes, area: { grids: ["G-0101"], communities: [], buildings: [] } };
  const authorized = (query: string) => {
    const op = parse(query).definitions[0] as OperationDefinitionNode;
    return print(authorize(schema, op, gov, policy, caller as never, "welfare-check").document!);
  };

  it("adds an owner only where the response cannot tell whose data an object is", () => {
    // The elder's citizen is selected (its id is injected there); residences are reached from their citizen.
    const withCitizen = authorized(`{ grid(id: "G-0101") { priorityElders { edges { node { careLevel citizen { name residences { unit { id } } } } } } } }`);
    expect(withCitizen).not.toContain("_cg_owner: citizen");
    expect(withCitizen).toContain("_cg_owner: id");
    // Without the citizen, each elder profile needs its owner; residents of a flat belong to someone other than the flat.
    expect(authorized(`{ grid(id: "G-0101") { priorityElders { edges { node { careLevel } } } } }`)).toContain("_cg_owner: citizen");
    expect(authorized(`{ building(id: "B-1") { units { edges { node { currentResidents { role } } } } } }`)).toContain("_cg_owner: citizen");
  });
});
