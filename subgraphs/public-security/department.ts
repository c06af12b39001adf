/** The public-security department (公安户籍): everything the rest of the system needs to run it. */
import type { DepartmentModule } from "../kit/department";
import { createClient, type Client } from "./db";
import { resolvers } from "./resolvers";

export const department: DepartmentModule<Client> = {
  name: "public-security",
  dir: __dirname,
  createClient,
  resolvers,
  models: ["household", "person", "residencePermit", "seedInfo"],
};
