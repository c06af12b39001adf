/**
 * Contracts: variants of the API schema cut by Federation `@tag` filters, for clients outside the district
 * government (a property company, the public portal). `contractSchema` computes a contract from the
 * supergraph: excluded (or, with an include list, not included) fields and types are removed, a field whose
 * type is removed is removed, types left empty or unreachable are removed, root types are kept. The gateway
 * validates a contract's operations against it and executes them on the full supergraph with all governance.
 * The filters are configured in the registry (append-only: the latest row per name is in force), seeded
 * from schema/contracts.yaml.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildASTSchema, Kind, parse, printSchema,
  type ConstDirectiveNode, type DefinitionNode, type DocumentNode, type FieldDefinitionNode, type InputValueDefinitionNode, type TypeNode,
} from "graphql";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { SqlRunner } from "../../subgraphs/kit/migrate";
import { apiSchemaOf } from "./composition";
import type { Actor } from "./types";

export const CONTRACTS_PATH = join(__dirname, "../contracts.yaml");

export interface ContractFilter {
  include?: string[];
  exclude?: string[];
}

export interface Contract {
  name: string;
  description: string;
  include: string[];
  exclude: string[];
  setBy: { sub: string; role: string };
  setAt: string;
}

const tagName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "a tag name: letters, digits, _ and -");
export const contractName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "a contract name: lower-case letters, digits and -");
const fileSchema = z.object({
  contracts: z.record(contractName, z.object({ description: z.string().default(""), include: z.array(tagName).default([]), exclude: z.array(tagName).default([]) }).strict()),
}).strict();
export const filterSchema = z.object({ include: z.array(tagName).default([]), exclude: z.array(tagName).default([]) });

/** The default contracts (schema/contracts.yaml). */
export function readContractsFile(path = CONTRACTS_PATH): { name: string; description: string; include: string[]; exclude: string[] }[] {
  const f = fileSchema.parse(parseYaml(readFileSync(path, "utf8")));
  return Object.entries(f.contracts).map(([name, c]) => ({ name, ...c }));
}

// ---------------------------------------------------------------------------------------------------------
// Tags as the supergraph declares them

type Tags = Map<string, Set<string>>;

function tagsOf(directives: readonly ConstDirectiveNode[] | undefined): string[] {
  const out: string[] = [];
  for (const d of directives ?? []) {
    if (d.name.value !== "tag") continue;
    const a = d.arguments?.find((x) => x.name.value === "name");
    if (a && a.value.kind === Kind.STRING) out.push(a.value.value);
  }
  return out;
}

/** Tags by coordinate: `Type`, `Type.field`, `Type.field(arg:)`, `Input.field`, `Enum.VALUE`. */
export function readTags(supergraphSdl: string): Tags {
  const tags: Tags = new Map();
  const add = (coord: string, t: string[]) => {
    if (!t.length) return;
    if (!tags.has(coord)) tags.set(coord, new Set());
    for (const x of t) tags.get(coord)!.add(x);
  };
  for (const def of parse(supergraphSdl).definitions) {
    if (!("name" in def) || !def.name || !("directives" in def)) continue;
    const type = def.name.value;
    add(type, tagsOf(def.directives as readonly ConstDirectiveNode[] | undefined));
    if ("fields" in def && def.fields) {
      for (const f of def.fields as readonly (FieldDefinitionNode | InputValueDefinitionNode)[]) {
        add(`${type}.${f.name.value}`, tagsOf(f.directives));
        if ("arguments" in f) for (const a of f.arguments ?? []) add(`${type}.${f.name.value}(${a.name.value}:)`, tagsOf(a.directives));
      }
    }
    if (def.kind === Kind.ENUM_TYPE_DEFINITION) for (const v of def.values ?? []) add(`${type}.${v.name.value}`, tagsOf(v.directives));
  }
  return tags;
}

// ---------------------------------------------------------------------------------------------------------
// Cutting the API schema

const named = (t: TypeNode): string => (t.kind === Kind.NAMED_TYPE ? t.name.value : named(t.type));
const required = (a: InputValueDefinitionNode) => a.type.kind === Kind.NON_NULL_TYPE && !a.defaultValue;
const BUILT_IN_SCALARS = new Set(["String", "Int", "Float", "Boolean", "ID"]);

type Mutable = { -readonly [K in keyof DefinitionNode]: DefinitionNode[K] };

export function contractSchema(supergraphSdl: string, filter: ContractFilter): { apiSchemaSdl: string } {
  const include = new Set(filter.include ?? []);
  const exclude = new Set(filter.exclude ?? []);
  const tags = readTags(supergraphSdl);
  const api = apiSchemaOf(supergraphSdl);
  const roots = [api.getQueryType(), api.getMutationType(), api.getSubscriptionType()].filter((t) => !!t).map((t) => t!.name);
  const doc = parse(printSchema(api));
  const has = (coord: string, set: Set<string>) => [...(tags.get(coord) ?? [])].some((t) => set.has(t));

  // Definitions by name, copied so they can be narrowed.
  const types = new Map<string, Mutable & { kind: Kind; name: { value: string } }>();
  const others: DefinitionNode[] = [];
  for (const d of doc.definitions) {
    if ("name" in d && d.name && d.kind !== Kind.DIRECTIVE_DEFINITION) types.set(d.name.value, { ...(d as Mutable & { kind: Kind; name: { value: string } }) });
    else others.push(d);
  }
  const fieldsOf = (t: Mutable) => ((t as { fields?: readonly (FieldDefinitionNode | InputValueDefinitionNode)[] }).fields ?? []);
  const setFields = (t: Mutable, f: readonly unknown[]) => ((t as { fields?: readonly unknown[] }).fields = f);

  // 1. The filter itself.
  for (const [name, t] of [...types]) {
    if (has(name, exclude)) {
      types.delete(name);
      continue;
    }
    if (t.kind === Kind.OBJECT_TYPE_DEFINITION || t.kind === Kind.INTERFACE_TYPE_DEFINITION) {
      setFields(t, (fieldsOf(t) as FieldDefinitionNode[])
        .filter((f) => {
          const coord = `${name}.${f.name.value}`;
          if (has(coord, exclude)) return false;
          // A required argument cannot be left out of a valid operation: excluding it excludes the field.
          if ((f.arguments ?? []).some((a) => required(a) && has(`${coord}(${a.name.value}:)`, exclude))) return false;
          return include.size === 0 || has(coord, include) || has(name, include);
        })
        .map((f) => ({ ...f, arguments: (f.arguments ?? []).filter((a) => !has(`${name}.${f.name.value}(${a.name.value}:)`, exclude)) })));
    } else if (t.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) {
      // Likewise a required input field: excluding it excludes the input type.
      const all = fieldsOf(t) as InputValueDefinitionNode[];
      setFields(t, all.some((f) => required(f) && has(`${name}.${f.name.value}`, exclude)) ? [] : all.filter((f) => !has(`${name}.${f.name.value}`, exclude)));
    } else if (t.kind === Kind.ENUM_TYPE_DEFINITION) {
      const e = t as { values?: readonly { name: { value: string } }[] };
      e.values = (e.values ?? []).filter((v) => !has(`${name}.${v.name.value}`, exclude));
    }
  }

  // 2. Consequences, to a fixed point: fields of removed types, empty types, unreachable types.
  const exists = (n: string) => BUILT_IN_SCALARS.has(n) || types.has(n);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, t] of [...types]) {
      const before = JSON.stringify([fieldsOf(t).length, (t as { values?: unknown[] }).values?.length, (t as { types?: unknown[] }).types?.length, (t as { interfaces?: unknown[] }).interfaces?.length]);
      if (t.kind === Kind.OBJECT_TYPE_DEFINITION || t.kind === Kind.INTERFACE_TYPE_DEFINITION) {
        const kept = (fieldsOf(t) as FieldDefinitionNode[])
          .filter((f) => exists(named(f.type)) && (f.arguments ?? []).every((a) => exists(named(a.type)) || !required(a)))
          .map((f) => ({ ...f, arguments: (f.arguments ?? []).filter((a) => exists(named(a.type))) }));
        setFields(t, kept);
        const o = t as { interfaces?: readonly { name: { value: string } }[] };
        o.interfaces = (o.interfaces ?? []).filter((i) => types.has(i.name.value));
      } else if (t.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) {
        const all = fieldsOf(t) as InputValueDefinitionNode[];
        if (all.some((f) => !exists(named(f.type)) && required(f))) setFields(t, []);
        else setFields(t, all.filter((f) => exists(named(f.type))));
      } else if (t.kind === Kind.UNION_TYPE_DEFINITION) {
        const u = t as { types?: readonly { name: { value: string } }[] };
        u.types = (u.types ?? []).filter((m) => types.has(m.name.value));
      }
      const empty =
        ((t.kind === Kind.OBJECT_TYPE_DEFINITION || t.kind === Kind.INTERFACE_TYPE_DEFINITION || t.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) && fieldsOf(t).length === 0) ||
        (t.kind === Kind.ENUM_TYPE_DEFINITION && ((t as { values?: unknown[] }).values ?? []).length === 0) ||
        (t.kind === Kind.UNION_TYPE_DEFINITION && ((t as { types?: unknown[] }).types ?? []).length === 0);
      if (empty && !roots.includes(name)) {
        types.delete(name);
        changed = true;
      } else if (before !== JSON.stringify([fieldsOf(t).length, (t as { values?: unknown[] }).values?.length, (t as { types?: unknown[] }).types?.length, (t as { interfaces?: unknown[] }).interfaces?.length])) {
        changed = true;
      }
    }
    if (!changed) {
      // Unreachable from the roots (implementations of a reachable interface count as reachable).
      const reach = new Set<string>();
      const visit = (n: string) => {
        if (reach.has(n) || !types.has(n)) return;
        reach.add(n);
        const t = types.get(n)!;
        for (const f of fieldsOf(t)) {
          visit(named(f.type));
          if ("arguments" in f) for (const a of f.arguments ?? []) visit(named(a.type));
        }
        for (const m of (t as { types?: readonly { name: { value: string } }[] }).types ?? []) visit(m.name.value);
        for (const i of (t as { interfaces?: readonly { name: { value: string } }[] }).interfaces ?? []) visit(i.name.value);
        if (t.kind === Kind.INTERFACE_TYPE_DEFINITION) {
          for (const [other, o] of types) if (((o as { interfaces?: readonly { name: { value: string } }[] }).interfaces ?? []).some((i) => i.name.value === n)) visit(other);
        }
      };
      roots.filter((r) => types.has(r)).forEach(visit);
      for (const n of [...types.keys()]) {
        if (!reach.has(n)) {
          types.delete(n);
          changed = true;
        }
      }
    }
  }

  const out: DocumentNode = { kind: Kind.DOCUMENT, definitions: [...others, ...(types.values() as Iterable<DefinitionNode>)] };
  return { apiSchemaSdl: printSchema(buildASTSchema(out)) };
}

/** `Type.field` coordinates of a schema's object and interface fields (what a contract exposes). */
export function fieldCoordinates(apiSchemaSdl: string): Set<string> {
  const out = new Set<string>();
  for (const d of parse(apiSchemaSdl).definitions) {
    if ((d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.INTERFACE_TYPE_DEFINITION) && !d.name.value.startsWith("__")) {
      for (const f of d.fields ?? []) out.add(`${d.name.value}.${f.name.value}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Contract configuration in the registry

const toContract = (r: Record<string, unknown>): Contract => ({
  name: String(r.name), description: String(r.description), include: (r.include as string[]) ?? [], exclude: (r.exclude as string[]) ?? [],
  setBy: { sub: String(r.set_by_sub), role: String(r.set_by_role) }, setAt: (r.set_at instanceof Date ? r.set_at : new Date(String(r.set_at))).toISOString(),
});

/** The contracts in force (the latest filter per name). */
export async function listContracts(db: SqlRunner): Promise<Contract[]> {
  const rows = await db.query(`SELECT DISTINCT ON (name) name, description, include, exclude, set_by_sub, set_by_role, set_at FROM contract_versions ORDER BY name, id DESC`, []);
  return rows.map(toContract);
}

export async function contractHistory(db: SqlRunner, name: string): Promise<Contract[]> {
  return (await db.query(`SELECT name, description, include, exclude, set_by_sub, set_by_role, set_at FROM contract_versions WHERE name = $1 ORDER BY id`, [name])).map(toContract);
}

export async function setContract(db: SqlRunner, actor: Actor, c: { name: string; description?: string; include: string[]; exclude: string[] }): Promise<Contract> {
  const name = contractName.parse(c.name);
  const f = filterSchema.parse({ include: c.include, exclude: c.exclude });
  await db.query(`INSERT INTO contract_versions (name, description, include, exclude, set_by_sub, set_by_role) VALUES ($1, $2, $3, $4, $5, $6)`,
    [name, c.description ?? "", f.include, f.exclude, actor.sub, actor.role]);
  return (await contractHistory(db, name)).at(-1)!;
}

/** Seeds the contracts of schema/contracts.yaml into an empty configuration. */
export async function seedContracts(db: SqlRunner, actor: Actor, path = CONTRACTS_PATH): Promise<void> {
  const [{ n }] = await db.query("SELECT count(*) AS n FROM contract_versions", []);
  if (Number(n) > 0) return;
  for (const c of readContractsFile(path)) await setContract(db, actor, c);
}
