/**
 * The one list of department subgraphs. The gateway, the tests, the seed command and the benchmarks all
 * iterate over it.
 */
import type { AnyDepartment as DepartmentModule } from "./kit/department";
import { department as civilAffairs } from "./civil-affairs/department";
import { department as publicSecurity } from "./public-security/department";
import { department as elderlyCare } from "./elderly-care/department";
import { department as propertyManagement } from "./property-management/department";

export const SUBGRAPHS: readonly DepartmentModule[] = [civilAffairs, publicSecurity, elderlyCare, propertyManagement];

export function subgraphByName(name: string): DepartmentModule {
  const m = SUBGRAPHS.find((s) => s.name === name);
  if (!m) throw new Error(`unknown subgraph ${name}; known: ${SUBGRAPHS.map((s) => s.name).join(", ")}`);
  return m;
}
