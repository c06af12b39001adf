/**
 * The one record of each department system. Every other list — ports, environment variable names, the
 * department officers' scopes, the launcher, seeding, the tests and benchmarks, the routing URLs that
 * schema/supergraph.yaml must agree with — is derived from it. Adding a department starts here.
 */
export interface DepartmentRecord {
  /** Subgraph name in the supergraph, e.g. `civil-affairs`. */
  name: string;
  /** Chinese name, for messages and docs. */
  label: string;
  /** Folder under subgraphs/ holding schema.graphql, prisma/, department.ts and main.ts. */
  folder: string;
  /** Default port of its service (the gateway listens on 4000). */
  port: number;
  /** Prefix of its environment variables: `<PREFIX>_PORT`, `<PREFIX>_DATABASE_URL`, `<PREFIX>_URL`. */
  envPrefix: string;
  /** Scopes of a department officer of this department (tokens minted by `npm run token`). */
  scopes: readonly string[];
  /** Whether the synthetic data generator fills its database on first start. */
  seeded: boolean;
}

export const DEPARTMENT_RECORDS = [
  { name: "civil-affairs", label: "民政", folder: "civil-affairs", port: 4001, envPrefix: "CIVIL_AFFAIRS", scopes: ["read:identity", "read:civil", "read:findings"], seeded: true },
  { name: "public-security", label: "公安户籍", folder: "public-security", port: 4002, envPrefix: "PUBLIC_SECURITY", scopes: ["read:identity"], seeded: true },
  { name: "elderly-care", label: "养老", folder: "elderly-care", port: 4003, envPrefix: "ELDERLY_CARE", scopes: ["read:identity", "read:care", "read:findings"], seeded: true },
  { name: "property-management", label: "物业", folder: "property-management", port: 4004, envPrefix: "PROPERTY_MANAGEMENT", scopes: ["read:identity", "read:property"], seeded: true },
] as const satisfies readonly DepartmentRecord[];

export type Department = (typeof DEPARTMENT_RECORDS)[number]["name"];

/** The department names, in order. */
export const DEPARTMENTS = DEPARTMENT_RECORDS.map((d) => d.name) as readonly Department[];

export function departmentRecord(name: string): DepartmentRecord {
  const d = DEPARTMENT_RECORDS.find((r) => r.name === name);
  if (!d) throw new Error(`unknown department ${name}; known: ${DEPARTMENTS.join(", ")}`);
  return d;
}

export const isDepartment = (name: string): name is Department => DEPARTMENT_RECORDS.some((r) => r.name === name);

/** The routing URL of a department on the embedded default (host and port from the record). */
export const defaultRoutingUrl = (d: DepartmentRecord, host = "127.0.0.1") => `http://${host}:${d.port}/graphql`;
