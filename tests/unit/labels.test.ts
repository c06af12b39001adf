/** Chinese names of enum values come from the SDL descriptions (no department knowledge in the gateway). */
import { readFileSync } from "node:fs";
import { enumLabels } from "../../gateway/src/insights/labels";
import { SUPERGRAPH_PATH } from "../../schema/composition";

it("reads every subsidy's Chinese name from the supergraph", () => {
  const label = enumLabels(readFileSync(SUPERGRAPH_PATH, "utf8"));
  expect(["MINIMUM_LIVING_ALLOWANCE", "EXTREME_POVERTY_SUPPORT", "OLD_AGE_ALLOWANCE", "DISABILITY_LIVING_ALLOWANCE", "DISABILITY_CARE_ALLOWANCE"].map((v) => label("SubsidyType", v))).toEqual([
    "最低生活保障",
    "特困人员供养",
    "高龄津贴",
    "困难残疾人生活补贴",
    "重度残疾人护理补贴",
  ]);
  expect(label("SubsidyType", "UNKNOWN")).toBe("UNKNOWN");
});

it("takes the Chinese term, not the English text, from either kind of parenthesis", () => {
  const label = enumLabels(`"x" enum K { "Living alone (独居)." A "Empty nest（空巢，两人）" B "No Chinese here (none)." C }`);
  expect([label("K", "A"), label("K", "B"), label("K", "C")]).toEqual(["独居", "空巢", "C"]);
});
