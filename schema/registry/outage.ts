/**
 * Outage reach: one department's failure should null only its own fields. Apollo Gateway nulls the fields
 * a failed fetch did not deliver, and a null in a non-null position spreads to the nearest nullable parent.
 * So, in a composed supergraph:
 * - every root field is nullable (a non-null root field's null spreads to the whole `data`);
 * - a field that links to an object whose non-null fields come (only) from other subgraphs is nullable:
 *   otherwise one of those subgraphs failing nulls the object that holds the link, which belongs to a
 *   department that did not fail.
 * Fields of an entity's key are delivered with the reference and never go missing.
 */
import { getNamedType, isInterfaceType, isListType, isNonNullType, isObjectType, type GraphQLOutputType, type GraphQLSchema } from "graphql";
import { fieldOwners, supergraphKeyFields } from "./lint";
import type { LintIssue } from "./types";

const RULE = "outage-contained";

/** Whether a null of the named type reaches the field itself: non-null at every level (`A!`, `[A!]!`). */
const nullReachesField = (t: GraphQLOutputType): boolean => isNonNullType(t) && (!isListType(t.ofType) || nullReachesField(t.ofType.ofType));
const list = (xs: Iterable<string>) => [...xs].sort().join(", ");

/** A place where an outage spreads, with the subgraphs involved (the link's and the failing one's). */
export interface OutageSpread extends LintIssue {
  involves: string[];
}

/** Where an outage of one subgraph would null more than its own fields (empty when contained). */
export function outageSpreads(supergraphSdl: string, api: GraphQLSchema): OutageSpread[] {
  const owners = fieldOwners(supergraphSdl);
  const keys = supergraphKeyFields(supergraphSdl);
  const issues: OutageSpread[] = [];
  const rootTypes = new Set([api.getQueryType(), api.getMutationType(), api.getSubscriptionType()].filter(Boolean).map((t) => t!.name));
  for (const type of Object.values(api.getTypeMap())) {
    if (type.name.startsWith("__") || (!isObjectType(type) && !isInterfaceType(type))) continue;
    for (const field of Object.values(type.getFields())) {
      if (!isNonNullType(field.type)) continue;
      const here = owners.get(`${type.name}.${field.name}`) ?? new Set<string>();
      if (rootTypes.has(type.name)) {
        issues.push({ rule: RULE, involves: [...here], subgraph: list(here), type: type.name, field: field.name, message: `${type.name}.${field.name} is a non-null root field: an outage of ${list(here)} would null the whole response, not only this field` });
        continue;
      }
      const target = getNamedType(field.type);
      if ((!isObjectType(target) && !isInterfaceType(target)) || !nullReachesField(field.type)) continue;
      for (const inner of Object.values(target.getFields())) {
        if (!isNonNullType(inner.type) || keys.get(target.name)?.has(inner.name)) continue;
        const from = owners.get(`${target.name}.${inner.name}`) ?? new Set<string>();
        if (from.size === 0 || [...from].some((s) => here.has(s))) continue;
        issues.push({
          rule: RULE, involves: [...here, ...from], subgraph: list(here), type: type.name, field: field.name,
          message: `${type.name}.${field.name} (${list(here)}) is non-null, but ${target.name}.${inner.name} is non-null and comes from ${list(from)}: an outage of ${list(from)} would null the whole ${type.name}; make the link nullable`,
        });
        break;
      }
    }
  }
  return issues;
}
