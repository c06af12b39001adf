/**
 * Client operations: stable ids (sha256 of the normalised document: `print(parse())`, so whitespace,
 * commas and comments do not change it), the `Type.field` coordinates an operation touches, and the
 * operations each client version registered (append-only).
 */
import { createHash } from "node:crypto";
import { getNamedType, isInterfaceType, isObjectType, Kind, Lexer, parse, print, Source, TokenKind, TypeInfo, visit, visitWithTypeInfo, type GraphQLSchema } from "graphql";
import type { SqlRunner } from "../../subgraphs/kit/migrate";
import type { Actor } from "./types";

/** Limits of a registered document: parsing and printing recurse once per nesting level, so deeper ones would overflow the stack. */
export const DOCUMENT_LIMITS = { maxTokens: 50_000, maxDepth: 100 };

/**
 * Why a document exceeds DOCUMENT_LIMITS (undefined: within them). Counted with graphql's lexer, which does
 * not recurse: nesting is every open `{`, `(` and `[` not yet closed.
 */
export function documentLimitProblem(text: string, limits = DOCUMENT_LIMITS): string | undefined {
  const lexer = new Lexer(new Source(text));
  let tokens = 0;
  let depth = 0;
  for (let t = lexer.advance(); t.kind !== TokenKind.EOF; t = lexer.advance()) {
    if (++tokens > limits.maxTokens) return `more than ${limits.maxTokens} tokens`;
    if (t.kind === TokenKind.BRACE_L || t.kind === TokenKind.PAREN_L || t.kind === TokenKind.BRACKET_L) {
      if (++depth > limits.maxDepth) return `nested deeper than ${limits.maxDepth} levels`;
    } else if (t.kind === TokenKind.BRACE_R || t.kind === TokenKind.PAREN_R || t.kind === TokenKind.BRACKET_R) depth--;
  }
  return undefined;
}

/** The normalised text of a document (what its id is computed from, and what the registry stores). */
export const normaliseDocument = (text: string): string => print(parse(text));

/** The stable id of an operation document: sha256 (hex) of its normalised text. */
export const operationId = (text: string): string => createHash("sha256").update(normaliseDocument(text), "utf8").digest("hex");

/** Names of the operations in a document, comma-separated ("anonymous" for an unnamed one). */
export function operationName(text: string): string {
  const names = parse(text).definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).map((d) => ("name" in d && d.name ? d.name.value : "anonymous"));
  return names.join(",") || "anonymous";
}

/** `Type.field` coordinates an operation selects, resolved against a schema (unknown fields are skipped). */
export function fieldsTouched(schema: GraphQLSchema, text: string): string[] {
  const out = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  visit(parse(text), visitWithTypeInfo(typeInfo, {
    Field(node) {
      const parent = typeInfo.getParentType();
      if (!parent || node.name.value.startsWith("__")) return;
      const t = getNamedType(parent);
      if ((isObjectType(t) || isInterfaceType(t)) && t.getFields()[node.name.value]) out.add(`${t.name}.${node.name.value}`);
    },
  }));
  return [...out].sort();
}

export interface RegisteredOperation {
  client: string;
  clientVersion: string;
  id: string;
  name: string;
  document: string;
  registeredBy: string;
  registeredAt: string;
}

const toOperation = (r: Record<string, unknown>): RegisteredOperation => ({
  client: String(r.client_name), clientVersion: String(r.client_version), id: String(r.id), name: String(r.name), document: String(r.document),
  registeredBy: String(r.registered_by), registeredAt: (r.registered_at instanceof Date ? r.registered_at : new Date(String(r.registered_at))).toISOString(),
});

const COLUMNS = "c.client_name, c.client_version, o.id, o.name, o.document, c.registered_by, c.registered_at";

/** Registers operation documents for a client version; already registered ones are kept as they were. */
export async function registerOperations(db: SqlRunner, actor: Actor, client: string, clientVersion: string, documents: string[]): Promise<{ id: string; name: string; added: boolean }[]> {
  const out: { id: string; name: string; added: boolean }[] = [];
  for (const text of documents) {
    const document = normaliseDocument(text);
    const id = operationId(text);
    const name = operationName(text);
    await db.query("INSERT INTO operations (id, name, document) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING", [id, name, document]);
    const rows = await db.query(
      "INSERT INTO client_operations (client_name, client_version, operation_id, registered_by) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING operation_id",
      [client, clientVersion, id, actor.sub]);
    out.push({ id, name, added: rows.length > 0 });
  }
  return out;
}

export async function listOperations(db: SqlRunner, filter: { client?: string; clientVersion?: string } = {}): Promise<RegisteredOperation[]> {
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM client_operations c JOIN operations o ON o.id = c.operation_id
     WHERE ($1::text IS NULL OR c.client_name = $1) AND ($2::text IS NULL OR c.client_version = $2)
     ORDER BY c.client_name, c.client_version, o.name, o.id`, [filter.client ?? null, filter.clientVersion ?? null]);
  return rows.map(toOperation);
}

export async function listClients(db: SqlRunner): Promise<{ client: string; versions: string[]; operations: number }[]> {
  const rows = await db.query(
    `SELECT client_name, array_agg(DISTINCT client_version ORDER BY client_version) AS versions, count(DISTINCT operation_id) AS n
     FROM client_operations GROUP BY client_name ORDER BY client_name`, []);
  return rows.map((r) => ({ client: String(r.client_name), versions: (r.versions as string[]) ?? [], operations: Number(r.n) }));
}

/** Whether a client version registered an operation id. */
export async function isRegistered(db: SqlRunner, client: string, clientVersion: string, id: string): Promise<boolean> {
  const rows = await db.query("SELECT 1 FROM client_operations WHERE client_name = $1 AND client_version = $2 AND operation_id = $3", [client, clientVersion, id]);
  return rows.length > 0;
}

/** The registered document of an operation id (so a client in safelist mode can send only the id). */
export async function documentById(db: SqlRunner, id: string): Promise<string | null> {
  const [r] = await db.query("SELECT document FROM operations WHERE id = $1", [id]);
  return r ? String(r.document) : null;
}
