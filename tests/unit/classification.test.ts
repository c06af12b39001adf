/**
 * Walks the whole supergraph: every field that identifies a person, or selects people by a personal
 * attribute, carries a sensitivity class — so the purpose rule and the access record apply to it — and every
 * type holding personal data has an owner the access log can name.
 */
import { getNamedType, isInputObjectType, isObjectType, isInterfaceType, type GraphQLField, type GraphQLNamedType } from "graphql";
import { apiSchema, governance } from "../helpers/supergraph";
import { CLASSES, type SensitivityClass } from "../../gateway/src/governance/policy";

const schema = apiSchema();
const gov = governance();
const rank = (c: SensitivityClass | undefined) => (c ? CLASSES.indexOf(c) : -1);
const classOf = (coord: string) => gov.rules.get(coord)?.sensitivity?.class;
const personal = (c: SensitivityClass | undefined) => c === "PERSONAL" || c === "SENSITIVE";

type Field = { type: string; name: string; field: GraphQLField<unknown, unknown> };
function allFields(): Field[] {
  const out: Field[] = [];
  for (const t of Object.values(schema.getTypeMap())) {
    if (t.name.startsWith("__") || !(isObjectType(t) || isInterfaceType(t))) continue;
    for (const f of Object.values(t.getFields())) out.push({ type: t.name, name: f.name, field: f });
  }
  return out;
}
const owned = (t: GraphQLNamedType) => gov.owners.has(t.name);
/** The owner field of a type is itself classified: the identity is reachable only through that field. */
const ownerFieldClassified = (t: GraphQLNamedType) => {
  const o = gov.owners.get(t.name);
  return !!o && personal(classOf(`${t.name}.${o.field}`));
};

describe("every field that identifies a person is classified", () => {
  const offenders = allFields().filter((f) => {
    const target = getNamedType(f.field.type);
    if (!owned(target) || ownerFieldClassified(target)) return false;
    return !personal(classOf(`${f.type}.${f.name}`));
  });
  it("no field returns a citizen-owned object without a class", () => {
    expect(offenders.map((f) => `${f.type}.${f.name} → ${getNamedType(f.field.type).name}`)).toEqual([]);
  });

  it("connections of people carry the class on their nodes (cursors are opaque)", () => {
    for (const coord of ["CitizenEdge.node", "ElderEdge.node", "FindingEdge.node"]) expect([coord, personal(classOf(coord))]).toEqual([coord, true]);
  });
});

describe("selecting people by a personal attribute is at least that attribute's class", () => {
  /** Classes of the arguments of a field, input objects included (recursively). */
  function argumentClasses(f: Field): SensitivityClass[] {
    const out: SensitivityClass[] = [];
    const fromInput = (typeName: string, seen: Set<string>) => {
      const t = schema.getType(typeName);
      if (!t || !isInputObjectType(t) || seen.has(t.name)) return;
      seen.add(t.name);
      for (const inner of Object.values(t.getFields())) {
        const c = gov.inputs.get(`${t.name}.${inner.name}`);
        if (c) out.push(c);
        fromInput(getNamedType(inner.type).name, seen);
      }
    };
    for (const a of f.field.args) {
      const c = gov.inputs.get(`${f.type}.${f.name}(${a.name}:)`);
      if (c) out.push(c);
      fromInput(getNamedType(a.type).name, new Set());
    }
    return out;
  }
  /** The class protecting who the field returns: its own, its connection's nodes', or the returned type's owner field's. */
  function resultClass(f: Field): SensitivityClass | undefined {
    const candidates: (SensitivityClass | undefined)[] = [classOf(`${f.type}.${f.name}`)];
    let t = getNamedType(f.field.type);
    if (isObjectType(t) && t.getFields().edges) {
      const edge = getNamedType(t.getFields().edges.type);
      if (isObjectType(edge)) {
        candidates.push(classOf(`${edge.name}.node`));
        t = getNamedType(edge.getFields().node.type);
      }
    }
    const o = gov.owners.get(t.name);
    if (o) candidates.push(classOf(`${t.name}.${o.field}`));
    return candidates.sort((a, b) => rank(b) - rank(a))[0];
  }

  it("every field filtered by a classified argument returns people at least as protected", () => {
    const weak = allFields()
      .map((f) => ({ f, max: argumentClasses(f).sort((a, b) => rank(b) - rank(a))[0] }))
      .filter(({ f, max }) => max && rank(resultClass(f)) < rank(max))
      .map(({ f, max }) => `${f.type}.${f.name}: selected by ${max}, returns ${resultClass(f) ?? "unclassified"}`);
    expect(weak).toEqual([]);
  });

  it("every argument named like a classified field of what it selects is classified itself", () => {
    const classifiedNames = new Map<string, SensitivityClass>();
    for (const [coord, r] of gov.rules) if (personal(r.sensitivity?.class)) classifiedNames.set(coord.split(".")[1].toLowerCase(), r.sensitivity!.class);
    const unclassified: string[] = [];
    const check = (coord: string, name: string, cls: SensitivityClass | undefined) => {
      const bare = name.replace(/^(min|max)/, "").toLowerCase();
      if (classifiedNames.has(bare) && !personal(cls)) unclassified.push(coord);
    };
    for (const f of allFields()) for (const a of f.field.args) check(`${f.type}.${f.name}(${a.name}:)`, a.name, gov.inputs.get(`${f.type}.${f.name}(${a.name}:)`));
    for (const t of Object.values(schema.getTypeMap())) {
      if (!isInputObjectType(t)) continue;
      for (const inner of Object.values(t.getFields())) check(`${t.name}.${inner.name}`, inner.name, gov.inputs.get(`${t.name}.${inner.name}`));
    }
    expect(unclassified).toEqual([]);
  });

  it("classifies the lookups the probe abused", () => {
    expect(classOf("Query.citizenByIdNumber")).toBe("SENSITIVE");
    expect(gov.inputs.get("Query.citizenByIdNumber(idNumber:)")).toBe("SENSITIVE");
    expect(gov.inputs.get("Query.citizensByStatus(status:)")).toBe("PERSONAL");
    expect(classOf("ElderProfile.citizen")).toBe("SENSITIVE");
    expect(classOf("Finding.citizen")).toBe("PERSONAL");
    expect(classOf("AccessRecord.citizens")).toBe("PERSONAL");
  });
});

describe("every type holding personal data has an owner", () => {
  /** A type whose objects have owners, or a connection of them. */
  const ownedResult = (t: GraphQLNamedType): boolean => {
    if (gov.owners.has(t.name)) return true;
    const edges = isObjectType(t) ? t.getFields().edges : undefined;
    const edge = edges ? getNamedType(edges.type) : undefined;
    return !!edge && isObjectType(edge) && !!edge.getFields().node && gov.owners.has(getNamedType(edge.getFields().node.type).name);
  };

  it("each personal field can be attributed: its type has an owner, or every way to reach it passes an owned type", () => {
    // Types reachable only from owned types inherit their owner.
    const parents = new Map<string, Set<string>>();
    for (const f of allFields()) {
      const t = getNamedType(f.field.type).name;
      if (!parents.has(t)) parents.set(t, new Set());
      parents.get(t)!.add(f.type);
    }
    const attributable = (type: string, seen = new Set<string>()): boolean => {
      if (gov.owners.has(type)) return true;
      if (type === "Query" || seen.has(type)) return false;
      seen.add(type);
      const ps = [...(parents.get(type) ?? [])];
      return ps.length > 0 && ps.every((p) => attributable(p, seen));
    };
    const orphans = allFields()
      .filter((f) => personal(classOf(`${f.type}.${f.name}`)))
      .filter((f) => !attributable(f.type) && !ownedResult(getNamedType(f.field.type)))
      .map((f) => `${f.type}.${f.name}`);
    expect(orphans).toEqual([]);
  });

  it("names an owner field that exists on the type", () => {
    for (const [type, o] of gov.owners) {
      const t = schema.getType(type);
      expect([type, isObjectType(t) && !!t.getFields()[o.field]]).toEqual([type, true]);
      for (const p of o.parents) expect([type, p, !!schema.getType(p.split(".")[0])]).toEqual([type, p, true]);
    }
  });
});
