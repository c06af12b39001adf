/** Turns a document's selected operation into one standalone operation with every fragment spread inlined. */
import { Kind, visit, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from "graphql";

/** Most selections an operation may expand to (a fragment spread used many times counts each time). */
export const MAX_EXPANDED_SELECTIONS = 50_000;

/** The operation with fragments inlined, or null when it would expand beyond MAX_EXPANDED_SELECTIONS. */
export function inlineOperation(doc: DocumentNode, op: OperationDefinitionNode, budget = MAX_EXPANDED_SELECTIONS): OperationDefinitionNode | null {
  const fragments = new Map(doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  let left = budget;
  const expand = (set: SelectionSetNode, seen: Set<string>): SelectionSetNode | null => {
    left -= set.selections.length;
    if (left < 0) return null;
    let over = false;
    const out = visit(set, {
      FragmentSpread(node) {
        const f = fragments.get(node.name.value);
        // Validation already refused unknown and cyclic fragments; the guard keeps this total.
        if (!f || seen.has(f.name.value) || over) return null;
        const inner = expand(f.selectionSet, new Set([...seen, f.name.value]));
        if (!inner) {
          over = true;
          return null;
        }
        return { kind: Kind.INLINE_FRAGMENT, typeCondition: f.typeCondition, directives: node.directives, selectionSet: inner };
      },
      SelectionSet(node) {
        if (node !== set) left -= node.selections.length;
        return undefined;
      },
    });
    return over || left < 0 ? null : out;
  };
  const selectionSet = expand(op.selectionSet, new Set());
  return selectionSet ? { ...op, selectionSet } : null;
}
