/**
 * Checks that a department's `data` has the shape of the operation the gateway sent it: every field with a
 * selection set (an object or a list of them) holds null, an object, or a list (of lists) of nulls and
 * objects. Apollo Gateway merges and shapes the answers assuming this; a department that breaks it (a
 * string where an object belongs) would otherwise fail the whole client request instead of only its own
 * fields. Leaf values are left to the gateway's own serialisation (a wrong one is a field error there).
 * Missing fields are allowed (they are null to the client).
 */
import { Kind, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode } from "graphql";

type Fields = readonly FieldNode[];
/** The fields of a selection set, fragments flattened (type conditions are not known here: all of them). */
const flattened = new WeakMap<SelectionSetNode, Fields>();

function fieldsOf(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen = new Set<string>()): Fields {
  const cached = flattened.get(set);
  if (cached) return cached;
  const out: FieldNode[] = [];
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) out.push(s);
    else if (s.kind === Kind.INLINE_FRAGMENT) out.push(...fieldsOf(s.selectionSet, fragments, seen));
    else {
      const f = fragments.get(s.name.value);
      if (f && !seen.has(f.name.value)) out.push(...fieldsOf(f.selectionSet, fragments, new Set([...seen, f.name.value])));
    }
  }
  flattened.set(set, out);
  return out;
}

/** The path of the first value of the wrong shape, or null when the data fits the operation. */
export function wrongShape(data: unknown, document: DocumentNode): string | null {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: SelectionSetNode | undefined;
  for (const d of document.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    else if (d.kind === Kind.OPERATION_DEFINITION && !operation) operation = d.selectionSet;
  }
  if (!operation || data === null || data === undefined) return null;
  const check = (value: unknown, set: SelectionSetNode, path: string): string | null => {
    if (value === null || value === undefined) return null;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const wrong = check(value[i], set, `${path}.${i}`);
        if (wrong) return wrong;
      }
      return null;
    }
    if (typeof value !== "object") return path;
    const obj = value as Record<string, unknown>;
    for (const f of fieldsOf(set, fragments)) {
      if (!f.selectionSet) continue;
      const key = f.alias?.value ?? f.name.value;
      const wrong = check(obj[key], f.selectionSet, `${path}.${key}`);
      if (wrong) return wrong;
    }
    return null;
  };
  if (typeof data !== "object" || Array.isArray(data)) return "data";
  return check(data, operation, "data");
}
