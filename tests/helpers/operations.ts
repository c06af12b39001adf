/** Loads the shipped example operations (schema/operations/*.graphql) by operation name. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, print, Kind, type OperationDefinitionNode } from "graphql";

const DIR = join(__dirname, "../../schema/operations");

export function operation(name: string): string {
  for (const f of readdirSync(DIR).filter((x) => x.endsWith(".graphql"))) {
    const doc = parse(readFileSync(join(DIR, f), "utf8"));
    const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === name);
    if (op) return print(op);
  }
  throw new Error(`no operation named ${name} under schema/operations`);
}
