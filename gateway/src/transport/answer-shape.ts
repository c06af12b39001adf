/**
 * A department's answer keeps only what the gateway asked that department for. Apollo Gateway merges every
 * key of a subgraph's answer into the result, so without this a department (or a subgraph published to the
 * registry) could answer `_entities` with extra keys — another department's `idNumber`, say — and have them
 * overwrite the owner's values whenever the client's query also reaches it. Each answer is cut to the
 * response keys of the query sent (fields by alias, through inline fragments and fragment spreads, `__typename`
 * always); the selection's shape is computed once per query text.
 */
import { Kind, parse, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from "graphql";
import { LRUCache } from "lru-cache";

/** Response keys allowed at one level, each with the shape of its own selection (null: a leaf). */
export type Shape = Map<string, Shape | null>;

function shapeOfSelection(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, into: Shape = new Map(), seen = new Set<string>()): Shape {
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      const key = sel.alias?.value ?? sel.name.value;
      if (!sel.selectionSet) {
        if (!into.has(key)) into.set(key, null);
        continue;
      }
      const existing = into.get(key);
      into.set(key, shapeOfSelection(sel.selectionSet, fragments, existing ?? new Map(), seen));
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      shapeOfSelection(sel.selectionSet, fragments, into, seen);
    } else {
      const f = fragments.get(sel.name.value);
      if (f && !seen.has(f.name.value)) shapeOfSelection(f.selectionSet, fragments, into, new Set([...seen, f.name.value]));
    }
  }
  return into;
}

export function shapeOfDocument(doc: DocumentNode): Shape {
  const fragments = new Map(doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const shape: Shape = new Map();
  for (const d of doc.definitions) if (d.kind === Kind.OPERATION_DEFINITION) shapeOfSelection(d.selectionSet, fragments, shape);
  return shape;
}

const shapes = new LRUCache<string, Shape>({ max: 2000 });

/** The shape of a query text (cached); null when it cannot be parsed (the answer is then refused by the caller). */
export function shapeOf(query: string): Shape | null {
  let s = shapes.get(query);
  if (!s) {
    try {
      s = shapeOfDocument(parse(query));
    } catch {
      return null;
    }
    shapes.set(query, s);
  }
  return s;
}

/** Removes, in place, every key of `value` the shape does not ask for. Returns how many keys were removed. */
export function cutToShape(value: unknown, shape: Shape): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + cutToShape(v, shape), 0);
  if (!value || typeof value !== "object") return 0;
  let removed = 0;
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (key === "__typename") continue;
    if (!shape.has(key)) {
      delete obj[key];
      removed++;
      continue;
    }
    const child = shape.get(key);
    if (child) removed += cutToShape(obj[key], child);
  }
  return removed;
}
