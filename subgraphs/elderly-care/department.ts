/** The elderly-care department (养老): everything the rest of the system needs to run it. */
import type { DepartmentModule } from "../kit/department";
import { createClient, type Client } from "./db";
import { resolvers } from "./resolvers";

export const department: DepartmentModule<Client> = {
  name: "elderly-care",
  dir: __dirname,
  createClient,
  resolvers,
  models: ["elderProfile", "emergencyContact", "serviceOrder", "visit", "alarmCall", "seedInfo"],
};
