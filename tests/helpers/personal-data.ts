/**
 * Finds the personal data in a response, independently of the gateway's own walk: every non-empty value
 * of a PERSONAL or SENSITIVE field (by `Type.field`), and the citizens it belongs to as far as the response
 * shows them (Citizen ids under or beside personal values). Fragments are merged by type.
 */
import { getNamedType, isObjectType, Kind, parse, type FragmentDefinitionNode, type GraphQLObjectType, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from "graphql";
import type { SchemaGovernance } from "../../gateway/src/governance/requirements";

export interface FoundPersonalData {
  fields: Set<string>;
  /** Citizen ids the response shows next to personal values. */
  citizens: Set<string>;
}

export function personalDataIn(schema: GraphQLSchema, gov: SchemaGovernance, query: string, operationName: string | undefined, data: unknown): FoundPersonalData {
  const doc = parse(query);
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName))!;
  const fragments = new Map(doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  const found: FoundPersonalData = { fields: new Set(), citizens: new Set() };
  const personal = (coord: string) => ["PERSONAL", "SENSITIVE"].includes(gov.rules.get(coord)?.sensitivity?.class ?? "");

  function fieldsOf(type: GraphQLObjectType, set: SelectionSetNode, out = new Map<string, { name: string; sets: SelectionSetNode[] }>()) {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const key = sel.alias?.value ?? sel.name.value;
        const e = out.get(key) ?? { name: sel.name.value, sets: [] };
        if (sel.selectionSet) e.sets.push(sel.selectionSet);
        out.set(key, e);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        if (!sel.typeCondition || sel.typeCondition.name.value === type.name) fieldsOf(type, sel.selectionSet, out);
      } else {
        const f = fragments.get(sel.name.value);
        if (f && f.typeCondition.name.value === type.name) fieldsOf(type, f.selectionSet, out);
      }
    }
    return out;
  }

  /** Returns whether anything personal was found at or under this value. */
  function walk(type: GraphQLObjectType, sets: SelectionSetNode[], value: unknown, underPersonal: boolean): boolean {
    if (value === null || value === undefined) return false;
    if (Array.isArray(value)) return value.map((v) => walk(type, sets, v, underPersonal)).some(Boolean);
    const obj = value as Record<string, unknown>;
    const merged = new Map<string, { name: string; sets: SelectionSetNode[] }>();
    for (const s of sets) for (const [k, v] of fieldsOf(type, s)) merged.set(k, { name: v.name, sets: [...(merged.get(k)?.sets ?? []), ...v.sets] });
    let any = false;
    for (const [key, { name, sets: childSets }] of merged) {
      const v = obj[key];
      const coord = `${type.name}.${name}`;
      const isPersonal = personal(coord) && v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0);
      if (isPersonal) found.fields.add(coord);
      const def = type.getFields()[name];
      const child = def ? getNamedType(def.type) : undefined;
      const below = child && isObjectType(child) && childSets.length ? walk(child, childSets, v, underPersonal || isPersonal) : false;
      any ||= isPersonal || below;
    }
    if (type.name === "Citizen" && typeof obj.id === "string" && (any || underPersonal)) found.citizens.add(obj.id);
    return any;
  }
  walk(schema.getQueryType()!, [op.selectionSet], data, false);
  return found;
}
