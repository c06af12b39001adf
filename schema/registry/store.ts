/**
 * The registry's storage: PostgreSQL when a URL is given, else embedded PGlite in a folder, with the
 * migrations of ./migrations applied on open (the same code path as the access log). This file holds the
 * schema history: subgraph versions and composed supergraphs with their inputs. Writes of a new supergraph
 * are serialised (a transaction-scoped advisory lock on PostgreSQL) and announced with NOTIFY.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import pg from "pg";
import { openMigrated, type SqlConnection } from "../../subgraphs/kit/sql-runner";
import type { SqlRunner } from "../../subgraphs/kit/migrate";
import type { Actor, CheckReport } from "./types";

const MIGRATIONS_DIR = join(__dirname, "migrations");
/** Advisory lock of every process writing supergraph versions to one PostgreSQL registry. */
const WRITE_LOCK_KEY = 4_137_200_011;
/** NOTIFY channel announcing a new current supergraph version (payload: the version). */
export const SUPERGRAPH_CHANNEL = "cg_registry_supergraph";

type Row = Record<string, unknown>;

export const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");
const iso = (v: unknown) => (v instanceof Date ? v : new Date(String(v))).toISOString();

export interface SubgraphVersion {
  id: number;
  subgraph: string;
  version: number;
  sdl: string;
  routingUrl: string;
  owner: string;
  publisher: { sub: string; role: string };
  publishedAt: string;
  report: CheckReport;
}

export interface SupergraphVersion {
  version: number;
  sdl: string;
  sha256: string;
  reason: "seed" | "publish" | "compose" | "rollback";
  rollbackOf: number | null;
  createdBy: { sub: string; role: string };
  createdAt: string;
  /** The subgraph versions it was composed from. */
  inputs: { subgraph: string; version: number; id: number }[];
}

/** A subgraph version about to be stored with the supergraph it produces. */
export interface NewSubgraphVersion {
  subgraph: string;
  sdl: string;
  routingUrl: string;
  owner: string;
  report: CheckReport;
}

export interface RegistryStoreOptions {
  databaseUrl?: string;
  dataDir: string;
}

export interface RegistryStore {
  kind: "pglite" | "postgres";
  db: SqlRunner;
  /** The current supergraph (highest version), or null while the registry is empty. */
  current(): Promise<SupergraphVersion | null>;
  /** Just the current version number (cheap; what pollers ask). */
  currentVersion(): Promise<number | null>;
  supergraph(version: number): Promise<SupergraphVersion | null>;
  supergraphs(limit?: number): Promise<SupergraphVersion[]>;
  subgraphVersion(subgraph: string, version: number): Promise<SubgraphVersion | null>;
  subgraphVersionById(id: number): Promise<SubgraphVersion | null>;
  subgraphVersions(subgraph: string): Promise<SubgraphVersion[]>;
  /** Names of every subgraph ever published. */
  subgraphNames(): Promise<string[]>;
  /** The subgraph versions the current supergraph was composed from. */
  currentSubgraphs(): Promise<SubgraphVersion[]>;
  /** Supergraph versions that include a subgraph version. */
  producedBy(subgraphVersionId: number): Promise<number[]>;
  /**
   * Stores new subgraph versions and a supergraph composed from them plus the current inputs of the other
   * subgraphs, as the next version, atomically. `expectCurrent` must still be the current version (else
   * it returns null: someone else changed the graph meanwhile; check again).
   */
  commit(args: { expectCurrent: number | null; subgraphs: NewSubgraphVersion[]; keep: number[]; sdl: string; reason: SupergraphVersion["reason"]; rollbackOf?: number; actor: Actor }): Promise<SupergraphVersion | null>;
  /** Calls back when another process announces a new current version (PostgreSQL only; PGlite returns a no-op). */
  listen(onVersion: (version: number) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

function toSubgraph(r: Row): SubgraphVersion {
  return {
    id: Number(r.id), subgraph: String(r.subgraph), version: Number(r.version), sdl: String(r.sdl), routingUrl: String(r.routing_url),
    owner: String(r.owner), publisher: { sub: String(r.publisher_sub), role: String(r.publisher_role) }, publishedAt: iso(r.published_at),
    report: (typeof r.check_report === "string" ? JSON.parse(r.check_report) : r.check_report) as CheckReport,
  };
}

const SUBGRAPH_COLUMNS = "id, subgraph, version, sdl, routing_url, owner, publisher_sub, publisher_role, published_at, check_report";

export async function openRegistryStore(opts: RegistryStoreOptions): Promise<RegistryStore> {
  // The registry lives in the gateway's process: a new embedded registry is created by a child process.
  const conn: SqlConnection = await openMigrated({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir, poolSize: 4, pgliteSharedBuffersMb: 16 }, MIGRATIONS_DIR);
  const db = conn.runner;

  async function inputsOf(q: SqlRunner["query"], versions: number[]): Promise<Map<number, SupergraphVersion["inputs"]>> {
    const out = new Map<number, SupergraphVersion["inputs"]>();
    if (!versions.length) return out;
    const rows = await q(
      `SELECT i.supergraph_version, s.subgraph, s.version, s.id FROM supergraph_inputs i JOIN subgraph_versions s ON s.id = i.subgraph_version_id
       WHERE i.supergraph_version = ANY($1::int[]) ORDER BY s.subgraph`, [versions]);
    for (const r of rows) {
      const v = Number(r.supergraph_version);
      if (!out.has(v)) out.set(v, []);
      out.get(v)!.push({ subgraph: String(r.subgraph), version: Number(r.version), id: Number(r.id) });
    }
    return out;
  }

  async function supergraphRows(q: SqlRunner["query"], where: string, params: unknown[]): Promise<SupergraphVersion[]> {
    const rows = await q(`SELECT version, sdl, sdl_sha256, reason, rollback_of, created_by_sub, created_by_role, created_at FROM supergraph_versions ${where}`, params);
    const inputs = await inputsOf(q, rows.map((r) => Number(r.version)));
    return rows.map((r) => ({
      version: Number(r.version), sdl: String(r.sdl), sha256: String(r.sdl_sha256), reason: r.reason as SupergraphVersion["reason"],
      rollbackOf: r.rollback_of === null ? null : Number(r.rollback_of), createdBy: { sub: String(r.created_by_sub), role: String(r.created_by_role) },
      createdAt: iso(r.created_at), inputs: inputs.get(Number(r.version)) ?? [],
    }));
  }

  const currentVersionOf = async (q: SqlRunner["query"]) => {
    const [r] = await q("SELECT max(version) AS v FROM supergraph_versions", []);
    return r && r.v !== null && r.v !== undefined ? Number(r.v) : null;
  };

  const store: RegistryStore = {
    kind: conn.kind,
    db,
    async current() {
      const [s] = await supergraphRows(db.query, "ORDER BY version DESC LIMIT 1", []);
      return s ?? null;
    },
    currentVersion: () => currentVersionOf(db.query),
    async supergraph(version) {
      const [s] = await supergraphRows(db.query, "WHERE version = $1", [version]);
      return s ?? null;
    },
    supergraphs: (limit = 1000) => supergraphRows(db.query, "ORDER BY version DESC LIMIT $1", [limit]),
    async subgraphVersion(subgraph, version) {
      const [r] = await db.query(`SELECT ${SUBGRAPH_COLUMNS} FROM subgraph_versions WHERE subgraph = $1 AND version = $2`, [subgraph, version]);
      return r ? toSubgraph(r) : null;
    },
    async subgraphVersionById(id) {
      const [r] = await db.query(`SELECT ${SUBGRAPH_COLUMNS} FROM subgraph_versions WHERE id = $1`, [id]);
      return r ? toSubgraph(r) : null;
    },
    async subgraphVersions(subgraph) {
      return (await db.query(`SELECT ${SUBGRAPH_COLUMNS} FROM subgraph_versions WHERE subgraph = $1 ORDER BY version`, [subgraph])).map(toSubgraph);
    },
    async subgraphNames() {
      return (await db.query("SELECT DISTINCT subgraph FROM subgraph_versions ORDER BY subgraph", [])).map((r) => String(r.subgraph));
    },
    async currentSubgraphs() {
      const v = await currentVersionOf(db.query);
      if (v === null) return [];
      const rows = await db.query(
        `SELECT ${SUBGRAPH_COLUMNS.split(", ").map((c) => `s.${c}`).join(", ")} FROM supergraph_inputs i JOIN subgraph_versions s ON s.id = i.subgraph_version_id
         WHERE i.supergraph_version = $1 ORDER BY s.subgraph`, [v]);
      return rows.map(toSubgraph);
    },
    async producedBy(id) {
      return (await db.query("SELECT supergraph_version FROM supergraph_inputs WHERE subgraph_version_id = $1 ORDER BY supergraph_version", [id])).map((r) => Number(r.supergraph_version));
    },
    async commit(args) {
      let stored: number | null = null;
      await db.transaction(async (tx) => {
        if (conn.kind === "postgres") await tx.query("SELECT pg_advisory_xact_lock($1)", [WRITE_LOCK_KEY]);
        const cur = await currentVersionOf(tx.query);
        if (cur !== args.expectCurrent) return;
        const ids = [...args.keep];
        for (const s of args.subgraphs) {
          const [{ next }] = await tx.query("SELECT coalesce(max(version), 0) + 1 AS next FROM subgraph_versions WHERE subgraph = $1", [s.subgraph]);
          const [{ id }] = await tx.query(
            `INSERT INTO subgraph_versions (subgraph, version, sdl, sdl_sha256, routing_url, owner, publisher_sub, publisher_role, check_report)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb) RETURNING id`,
            [s.subgraph, Number(next), s.sdl, sha256(s.sdl), s.routingUrl, s.owner, args.actor.sub, args.actor.role, JSON.stringify(s.report)]);
          ids.push(Number(id));
        }
        const version = (cur ?? 0) + 1;
        await tx.query(
          `INSERT INTO supergraph_versions (version, sdl, sdl_sha256, reason, rollback_of, created_by_sub, created_by_role) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [version, args.sdl, sha256(args.sdl), args.reason, args.rollbackOf ?? null, args.actor.sub, args.actor.role]);
        const names = new Set<string>();
        for (const id of ids) {
          const [r] = await tx.query("SELECT subgraph FROM subgraph_versions WHERE id = $1", [id]);
          if (!r || names.has(String(r.subgraph))) throw new Error(`supergraph inputs: subgraph version ${id} missing or duplicated`);
          names.add(String(r.subgraph));
          await tx.query("INSERT INTO supergraph_inputs (supergraph_version, subgraph, subgraph_version_id) VALUES ($1, $2, $3)", [version, r.subgraph, id]);
        }
        if (conn.kind === "postgres") await tx.query("SELECT pg_notify($1, $2)", [SUPERGRAPH_CHANNEL, String(version)]);
        stored = version;
      });
      return stored === null ? null : store.supergraph(stored);
    },
    async listen(onVersion) {
      if (conn.kind !== "postgres" || !opts.databaseUrl) return async () => undefined;
      const client = new pg.Client({ connectionString: opts.databaseUrl });
      client.on("error", () => undefined); // a dropped connection: polling still converges
      await client.connect();
      client.on("notification", (n) => {
        const v = Number(n.payload);
        if (n.channel === SUPERGRAPH_CHANNEL && Number.isInteger(v)) onVersion(v);
      });
      await client.query(`LISTEN ${SUPERGRAPH_CHANNEL}`);
      return async () => void (await client.end().catch(() => undefined));
    },
    close: () => conn.close(),
  };
  return store;
}
