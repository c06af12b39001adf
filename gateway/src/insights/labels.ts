/**
 * Chinese names of enum values, read from the SDL descriptions that give them — "Old-age allowance for the
 * very old (高龄津贴)." → 高龄津贴 — so department knowledge stays in the department's SDL.
 */
import { Kind, parse } from "graphql";
import type { Labels } from "./types";

const CHINESE = /[（(]([^，,)）]*[\u4e00-\u9fff][^，,)）]*)/;

export function enumLabels(sdl: string): Labels {
  const names = new Map<string, string>();
  for (const def of parse(sdl).definitions) {
    if (def.kind !== Kind.ENUM_TYPE_DEFINITION) continue;
    for (const v of def.values ?? []) {
      const m = v.description ? CHINESE.exec(v.description.value) : null;
      if (m) names.set(`${def.name.value}.${v.name.value}`, m[1].trim());
    }
  }
  return (enumName, value) => names.get(`${enumName}.${value}`) ?? value;
}
