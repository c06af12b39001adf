/**
 * The department modules, loaded from the folders the department records name (subgraphs/departments.ts):
 * the seed command, the tests and the benchmarks iterate over this list. The gateway never imports it
 * (it needs only the records); departments never import the gateway.
 */
import type { AnyDepartment as DepartmentModule } from "./kit/department";
import { DEPARTMENT_RECORDS } from "./departments";

function load(folder: string): DepartmentModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(`./${folder}/department`) as { department?: DepartmentModule };
  if (!mod.department) throw new Error(`subgraphs/${folder}/department must export \`department\``);
  return mod.department;
}

export const SUBGRAPHS: readonly DepartmentModule[] = DEPARTMENT_RECORDS.map((d) => {
  const m = load(d.folder);
  if (m.name !== d.name) throw new Error(`subgraphs/${d.folder}/department is named ${m.name}, but its record says ${d.name}`);
  return m;
});

export function subgraphByName(name: string): DepartmentModule {
  const m = SUBGRAPHS.find((s) => s.name === name);
  if (!m) throw new Error(`unknown subgraph ${name}; known: ${SUBGRAPHS.map((s) => s.name).join(", ")}`);
  return m;
}
