/**
 * A script beside the calling module, to fork: compiled (`.js`, plain node) when the caller runs compiled,
 * TypeScript through tsx when it runs from source (tests, `npm run dev`).
 */
import { join } from "node:path";

export function siblingEntry(callerFile: string, name: string): { file: string; execArgv: string[] } {
  const ts = callerFile.endsWith(".ts");
  return { file: join(callerFile, "..", `${name}${ts ? ".ts" : ".js"}`), execArgv: ts ? ["--import", "tsx"] : [] };
}
