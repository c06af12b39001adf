/**
 * Runs one department service: open and migrate its database, seed it on first start, listen, and close
 * gracefully on SIGINT/SIGTERM (./lifecycle.ts). Used by each department's main.ts.
 */
import type { FastifyInstance } from "fastify";
import { DEFAULT_SYNTHETIC } from "../synthetic";
import { departmentRecord, type Department } from "../departments";
import { loadSubgraphConfig, withSubgraphSecrets, type ResolvedSubgraphConfig, type SubgraphConfig } from "./config";
import { buildDepartmentApp, openDepartment, type AnyDepartment as DepartmentModule } from "./department";
import { isSeeded, seedDepartments } from "./seed";
import type { DepartmentDb, PrismaLike } from "./database";
import { stopOnSignals } from "./lifecycle";

export interface RunningDepartment {
  app: FastifyInstance;
  db: DepartmentDb<PrismaLike>;
  url: string;
  config: ResolvedSubgraphConfig;
}

/** Opens, seeds if empty, builds and listens. Port 0 picks a free port. */
export async function startDepartment(mod: DepartmentModule, overrides: Partial<SubgraphConfig> = {}): Promise<RunningDepartment> {
  const config = withSubgraphSecrets({ ...loadSubgraphConfig(mod.name as Department), ...overrides });
  const db = await openDepartment(mod, config);
  // Departments the synthetic generator feeds are seeded on first start; others start with what they hold.
  if (departmentRecord(mod.name).seeded && !(await isSeeded(db))) {
    await seedDepartments([{ mod, db }], { ...DEFAULT_SYNTHETIC, citizens: config.seedCitizens, seed: config.seed });
  }
  const app = await buildDepartmentApp(mod, db, config, () => db.close());
  await app.listen({ port: config.port, host: config.host });
  const addr = app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : config.port;
  return { app, db, url: `http://${config.host}:${port}/graphql`, config };
}

export function main(mod: DepartmentModule): void {
  startDepartment(mod).then(
    ({ app, url, config }) => {
      app.log.info({ url }, `${mod.name} subgraph ready`);
      // SIGTERM/SIGINT (or `npm start` going away): stop accepting, finish requests in flight, close the database.
      stopOnSignals(app, { timeoutMs: config.shutdownTimeoutMs });
    },
    (err) => {
      console.error(`${mod.name} failed to start:`, err);
      process.exit(1);
    },
  );
}
