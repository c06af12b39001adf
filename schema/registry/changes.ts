/**
 * Schema changes between two API schemas with @graphql-inspector/core (breaking / dangerous / safe), and
 * which `Type.field` coordinates a change affects — what the operations check looks for in registered and
 * served operations.
 */
import { diff, CriticalityLevel } from "@graphql-inspector/core";
import { getNamedType, isEnumType, isInputObjectType, isInterfaceType, isObjectType, type GraphQLSchema } from "graphql";
import type { SchemaChange } from "./types";

export interface ChangeSet {
  breaking: SchemaChange[];
  dangerous: SchemaChange[];
  safe: SchemaChange[];
}

const LEVEL: Record<string, SchemaChange["level"]> = { [CriticalityLevel.Breaking]: "BREAKING", [CriticalityLevel.Dangerous]: "DANGEROUS", [CriticalityLevel.NonBreaking]: "SAFE" };

export async function schemaChanges(before: GraphQLSchema, after: GraphQLSchema): Promise<ChangeSet> {
  const out: ChangeSet = { breaking: [], dangerous: [], safe: [] };
  for (const c of await diff(before, after)) {
    const level = LEVEL[c.criticality.level] ?? "DANGEROUS";
    const change: SchemaChange = { type: String(c.type), level, message: c.message, ...(c.path ? { path: c.path } : {}) };
    (level === "BREAKING" ? out.breaking : level === "DANGEROUS" ? out.dangerous : out.safe).push(change);
  }
  return out;
}

/** Object and interface fields that return a type or take it (directly or inside input objects) as an argument. */
function fieldsUsingType(schema: GraphQLSchema, typeName: string): string[] {
  const inputUses = (t: string, seen = new Set<string>()): boolean => {
    if (t === typeName) return true;
    const type = schema.getType(t);
    if (!isInputObjectType(type) || seen.has(t)) return false;
    seen.add(t);
    return Object.values(type.getFields()).some((f) => inputUses(getNamedType(f.type).name, seen));
  };
  const out: string[] = [];
  for (const t of Object.values(schema.getTypeMap())) {
    if (t.name.startsWith("__") || !(isObjectType(t) || isInterfaceType(t))) continue;
    for (const f of Object.values(t.getFields())) {
      if (getNamedType(f.type).name === typeName || f.args.some((a) => inputUses(getNamedType(a.type).name))) out.push(`${t.name}.${f.name}`);
    }
  }
  return out;
}

/** The `Type.field` coordinates of the old schema that operations using them would see broken by a change. */
export function affectedCoordinates(change: SchemaChange, before: GraphQLSchema): string[] {
  if (!change.path) return [];
  const [typeName, member] = change.path.split(".");
  const type = before.getType(typeName);
  if (!type) return [];
  if ((isObjectType(type) || isInterfaceType(type)) && member) return [`${typeName}.${member}`];
  if (isObjectType(type) || isInterfaceType(type)) return [...Object.keys(type.getFields()).map((f) => `${typeName}.${f}`), ...fieldsUsingType(before, typeName)];
  if (isEnumType(type) || isInputObjectType(type)) return fieldsUsingType(before, typeName);
  return fieldsUsingType(before, typeName);
}
