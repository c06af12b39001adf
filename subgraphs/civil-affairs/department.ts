/** The civil-affairs department (民政): everything the rest of the system needs to run it. */
import type { DepartmentModule } from "../kit/department";
import { createClient, type Client } from "./db";
import { resolvers } from "./resolvers";

export const department: DepartmentModule<Client> = {
  name: "civil-affairs",
  dir: __dirname,
  createClient,
  resolvers,
  models: ["streetOffice", "community", "grid", "civilRecord", "subsidy", "disabilityCertificate", "seedInfo"],
};
