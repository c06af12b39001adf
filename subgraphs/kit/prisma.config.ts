// Prisma CLI configuration: runs the CLI's schema engine as WebAssembly against a throwaway in-memory PGlite,
// so `prisma migrate diff` needs no native engine download. With `--from-migrations` the engine replays every
// migration.sql in that (shadow) database and diffs it with the Prisma schema (see prisma-cli.ts).
import { defineConfig } from "prisma/config";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";

type Adapter = Awaited<ReturnType<PrismaPGlite["connect"]>>;

/**
 * A PGlite adapter that can run whole migration scripts. pglite-prisma-adapter 0.6.1 sends everything through
 * PGlite's query() (extended protocol: one command per call), but the schema engine applies each migration.sql
 * with one parameterless executeRaw ("cannot insert multiple commands into a prepared statement"), and its
 * executeScript does not wait for the script. Parameterless statements and scripts go through exec() here
 * (simple protocol, any number of commands); everything else is the adapter's own.
 */
async function scriptCapable(database: Promise<PGlite>): Promise<Adapter> {
  const db = await database;
  const exec = async (sql: string) => {
    try {
      return await db.exec(sql);
    } catch (e) {
      throw asAdapterError(e);
    }
  };
  const adapter = await new PrismaPGlite(db).connect();
  const executeRaw = adapter.executeRaw.bind(adapter);
  return Object.assign(adapter, {
    executeRaw: async (query: Parameters<Adapter["executeRaw"]>[0]) => {
      if (query.args.length > 0) return executeRaw(query);
      const results = await exec(query.sql);
      return results.reduce((n, r) => n + (r.affectedRows ?? 0), 0);
    },
    executeScript: async (script: string) => void (await exec(script)),
  });
}

/**
 * A PostgreSQL error in the form the schema engine reports with its message (a DriverAdapterError by its
 * duck type: name and cause), as the adapter does for its own queries; other errors would read "External error".
 */
function asAdapterError(e: unknown): unknown {
  if (!(e instanceof Error) || !("code" in e)) return e;
  const { code, severity, detail, column, hint } = e as Error & Record<string, string | undefined>;
  return Object.assign(new Error(e.message), {
    name: "DriverAdapterError",
    cause: { kind: "postgres", code: code ?? "UNKNOWN", severity: severity ?? "UNKNOWN", message: e.message, detail, column, hint },
  });
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  async adapter() {
    // One throwaway in-memory database, created on first connection, serves as both the main and the shadow
    // database: `migrate diff` only asks the main one for its version, and starting PGlite is the slow part.
    let db: Promise<PGlite> | undefined;
    const connect = () => scriptCapable((db ??= PGlite.create()));
    // The adapter's types come from an older driver-adapter-utils than the CLI's; the runtime contract is the same.
    return { provider: "postgres", adapterName: "pglite-prisma-adapter", connect, connectToShadowDb: connect } as never;
  },
});
