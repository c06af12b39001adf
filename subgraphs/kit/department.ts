/**
 * The shape every department exports, and what turns it into a running service: open (and migrate) its
 * database, seed it on first start, build its app.
 */
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper";
import type { Department } from "../departments";
import type { ResolvedSubgraphConfig, SubgraphConfig } from "./config";
import { openDepartmentDb, type DepartmentDb, type PrismaLike } from "./database";
import { buildSubgraphApp, type SubgraphContext } from "./app";
import { createTracing } from "./tracing";

export type Ctx<C> = SubgraphContext<DepartmentDb<C>>;

export interface DepartmentModule<C extends PrismaLike = PrismaLike> {
  name: Department;
  /** Folder of the department (holds schema.graphql and prisma/). */
  dir: string;
  /** Builds the department's generated PrismaClient on a driver adapter. */
  createClient(adapter: unknown): C;
  resolvers: GraphQLResolverMap<Ctx<C>>;
  /** Prisma model delegates in insertion order (parents first), for seeding and resetting. */
  models: readonly string[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDepartment = DepartmentModule<any>;

export const sdlPathOf = (mod: { dir: string }) => join(mod.dir, "schema.graphql");

export function openDepartment<C extends PrismaLike>(mod: DepartmentModule<C>, config: SubgraphConfig): Promise<DepartmentDb<C>> {
  return openDepartmentDb(
    { migrationsDir: join(mod.dir, "prisma/migrations"), databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.pgPoolSize },
    (adapter) => mod.createClient(adapter),
  );
}

export function buildDepartmentApp<C extends PrismaLike>(mod: DepartmentModule<C>, db: DepartmentDb<C>, config: Pick<ResolvedSubgraphConfig, "logLevel" | "signingSecret" | "signatureMaxSkewMs" | "acceptUnsigned" | "metricsToken" | "tracing">, onClose?: () => Promise<void>): Promise<FastifyInstance> {
  return buildSubgraphApp({ name: mod.name, sdlPath: sdlPathOf(mod), resolvers: mod.resolvers, db, logLevel: config.logLevel, onClose, signingSecret: config.signingSecret, signatureMaxSkewMs: config.signatureMaxSkewMs, acceptUnsigned: config.acceptUnsigned, metricsToken: config.metricsToken, tracing: createTracing(mod.name, config.tracing), readiness: { database: () => db.ping() } });
}
