/** The property-management Prisma client on a driver adapter. */
import { PrismaClient } from "./generated/client";

export type Client = PrismaClient;

export function createClient(adapter: unknown): PrismaClient {
  return new PrismaClient({ adapter: adapter as never, log: [{ emit: "event", level: "query" }] });
}
