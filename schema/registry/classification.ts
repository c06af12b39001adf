/**
 * Whether a supergraph classifies its personal data, walked over the whole API schema:
 * - every field that identifies a person (returns a citizen-owned object) carries a sensitivity class, so
 *   the purpose rule and the access record apply to it;
 * - every field that selects people by a classified argument returns them at least as protected, and every
 *   argument named like a classified field is classified itself;
 * - every personal field can be attributed to an owner (its type, or every way to reach it, has @owner),
 *   and every @owner names a field (and parents) that exist.
 * Used by the registry's policy lint on every change and by tests/unit/classification.test.ts.
 */
import { getNamedType, isInputObjectType, isInterfaceType, isObjectType, type GraphQLField, type GraphQLNamedType, type GraphQLSchema } from "graphql";
import { readGovernance, type SchemaGovernance } from "../../gateway/src/governance/requirements";
import { CLASSES, type SensitivityClass } from "../../gateway/src/governance/policy";
import { apiSchemaOf } from "./composition";

export interface ClassificationFindings {
  /** `Type.field → Target`: returns a citizen-owned object without a class. */
  unclassifiedIdentifiers: string[];
  /** Fields selected by a classified argument that return people less protected than it. */
  weakSelections: string[];
  /** Arguments or input fields named like a classified field but not classified. */
  unclassifiedArguments: string[];
  /** Personal fields no owner can be found for. */
  unattributable: string[];
  /** @owner declarations naming a field or parent type that does not exist. */
  badOwners: string[];
}

type Field = { type: string; name: string; field: GraphQLField<unknown, unknown> };
export const rank = (c: SensitivityClass | undefined) => (c ? CLASSES.indexOf(c) : -1);
export const isPersonal = (c: SensitivityClass | undefined) => c === "PERSONAL" || c === "SENSITIVE";

function allFields(schema: GraphQLSchema): Field[] {
  const out: Field[] = [];
  for (const t of Object.values(schema.getTypeMap())) {
    if (t.name.startsWith("__") || !(isObjectType(t) || isInterfaceType(t))) continue;
    for (const f of Object.values(t.getFields())) out.push({ type: t.name, name: f.name, field: f });
  }
  return out;
}

export function classificationFindings(supergraphSdl: string, schema: GraphQLSchema = apiSchemaOf(supergraphSdl), gov: SchemaGovernance = readGovernance(supergraphSdl)): ClassificationFindings {
  const fields = allFields(schema);
  const classOf = (coord: string) => gov.rules.get(coord)?.sensitivity?.class;
  const owned = (t: GraphQLNamedType) => gov.owners.has(t.name);
  const ownerFieldClassified = (t: GraphQLNamedType) => {
    const o = gov.owners.get(t.name);
    return !!o && isPersonal(classOf(`${t.name}.${o.field}`));
  };

  const unclassifiedIdentifiers = fields
    .filter((f) => {
      const target = getNamedType(f.field.type);
      if (!owned(target) || ownerFieldClassified(target)) return false;
      return !isPersonal(classOf(`${f.type}.${f.name}`));
    })
    .map((f) => `${f.type}.${f.name} → ${getNamedType(f.field.type).name}`);

  const argumentClasses = (f: Field): SensitivityClass[] => {
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
  };
  const resultClass = (f: Field): SensitivityClass | undefined => {
    const candidates: (SensitivityClass | undefined)[] = [classOf(`${f.type}.${f.name}`)];
    let t = getNamedType(f.field.type);
    if (isObjectType(t) && t.getFields().edges) {
      const edge = getNamedType(t.getFields().edges.type);
      if (isObjectType(edge) && edge.getFields().node) {
        candidates.push(classOf(`${edge.name}.node`));
        t = getNamedType(edge.getFields().node.type);
      }
    }
    const o = gov.owners.get(t.name);
    if (o) candidates.push(classOf(`${t.name}.${o.field}`));
    return candidates.sort((a, b) => rank(b) - rank(a))[0];
  };
  const weakSelections = fields
    .map((f) => ({ f, max: argumentClasses(f).sort((a, b) => rank(b) - rank(a))[0] }))
    .filter(({ f, max }) => max && rank(resultClass(f)) < rank(max))
    .map(({ f, max }) => `${f.type}.${f.name}: selected by ${max}, returns ${resultClass(f) ?? "unclassified"}`);

  const classifiedNames = new Map<string, SensitivityClass>();
  for (const [coord, r] of gov.rules) if (isPersonal(r.sensitivity?.class)) classifiedNames.set(coord.split(".")[1].toLowerCase(), r.sensitivity!.class);
  const unclassifiedArguments: string[] = [];
  const checkName = (coord: string, name: string, cls: SensitivityClass | undefined) => {
    const bare = name.replace(/^(min|max)/, "").toLowerCase();
    if (classifiedNames.has(bare) && !isPersonal(cls)) unclassifiedArguments.push(coord);
  };
  for (const f of fields) for (const a of f.field.args) checkName(`${f.type}.${f.name}(${a.name}:)`, a.name, gov.inputs.get(`${f.type}.${f.name}(${a.name}:)`));
  for (const t of Object.values(schema.getTypeMap())) {
    if (!isInputObjectType(t) || t.name.startsWith("__")) continue;
    for (const inner of Object.values(t.getFields())) checkName(`${t.name}.${inner.name}`, inner.name, gov.inputs.get(`${t.name}.${inner.name}`));
  }

  // Types reachable only from owned types inherit their owner.
  const ownedResult = (t: GraphQLNamedType): boolean => {
    if (gov.owners.has(t.name)) return true;
    const edges = isObjectType(t) ? t.getFields().edges : undefined;
    const edge = edges ? getNamedType(edges.type) : undefined;
    return !!edge && isObjectType(edge) && !!edge.getFields().node && gov.owners.has(getNamedType(edge.getFields().node.type).name);
  };
  const parents = new Map<string, Set<string>>();
  for (const f of fields) {
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
  const unattributable = fields
    .filter((f) => isPersonal(classOf(`${f.type}.${f.name}`)))
    .filter((f) => !attributable(f.type) && !ownedResult(getNamedType(f.field.type)))
    .map((f) => `${f.type}.${f.name}`);

  const badOwners: string[] = [];
  for (const [type, o] of gov.owners) {
    const t = schema.getType(type);
    if (!(isObjectType(t) && t.getFields()[o.field])) badOwners.push(`${type}: owner field ${o.field} does not exist`);
    for (const p of o.parents) if (!schema.getType(p.split(".")[0])) badOwners.push(`${type}: parent ${p} does not exist`);
  }
  return { unclassifiedIdentifiers, weakSelections, unclassifiedArguments, unattributable, badOwners };
}
