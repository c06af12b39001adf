/**
 * Look-ahead for resolvers: which fields the request selects below the field being resolved, so that a
 * list can fetch what its rows will be asked for in the same SQL statement (fragments and inline fragments
 * followed; directives such as @skip are not evaluated, so a field under one counts as selected — fetching
 * it is harmless, its resolver still decides what is returned).
 */
import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from "graphql";

function children(sets: SelectionSetNode[], info: GraphQLResolveInfo, name?: string): { names: Set<string>; sets: SelectionSetNode[] } {
  const names = new Set<string>();
  const next: SelectionSetNode[] = [];
  const visit = (set: SelectionSetNode, seen: Set<string>) => {
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        names.add(s.name.value);
        if (s.name.value === name && s.selectionSet) next.push(s.selectionSet);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        visit(s.selectionSet, seen);
      } else if (!seen.has(s.name.value)) {
        const f = info.fragments[s.name.value];
        if (f) visit(f.selectionSet, new Set(seen).add(s.name.value));
      }
    }
  };
  for (const set of sets) visit(set, new Set());
  return { names, sets: next };
}

/** The names of the fields selected at `path` below the field being resolved (e.g. ["edges", "node"]). */
export function selectedBelow(info: GraphQLResolveInfo, path: readonly string[]): Set<string> {
  let sets = info.fieldNodes.flatMap((f) => (f.selectionSet ? [f.selectionSet] : []));
  for (const step of path) sets = children(sets, info, step).sets;
  return children(sets, info).names;
}
