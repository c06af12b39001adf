/** The property-management department (物业): everything the rest of the system needs to run it. */
import type { DepartmentModule } from "../kit/department";
import { createClient, type Client } from "./db";
import { resolvers } from "./resolvers";

export const department: DepartmentModule<Client> = {
  name: "property-management",
  dir: __dirname,
  createClient,
  resolvers,
  models: ["propertyCompany", "building", "unit", "residence", "feeAccount", "repairRequest", "seedInfo"],
};
