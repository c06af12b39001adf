/** Loads and validates the access policy (schema/policy.yaml): roles, purposes, masks, named policies. */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

export const CLASSES = ["PUBLIC", "INTERNAL", "PERSONAL", "SENSITIVE"] as const;
export type SensitivityClass = (typeof CLASSES)[number];
export type Decision = "allow" | "mask" | "deny";

const decision = z.enum(["allow", "mask", "deny"]);
const classDecisions = z.object({ PUBLIC: decision, INTERNAL: decision, PERSONAL: decision, SENSITIVE: decision }).strict();

const schema = z
  .object({
    purposes: z.record(z.string(), z.string()),
    masks: z.record(z.string(), z.object({ keepStart: z.number().int().min(0), keepEnd: z.number().int().min(0) }).strict()),
    policies: z.record(z.string(), z.array(z.string())),
    roles: z.record(
      z.string(),
      z
        .object({
          label: z.string(),
          rowScope: z.enum(["district", "grid", "community", "building", "self"]),
          scopes: z.array(z.string()),
          defaultPurpose: z.string().optional(),
          purposes: z.record(z.string(), classDecisions),
        })
        .strict(),
    ),
  })
  .strict();

export type Policy = z.infer<typeof schema>;
export type RoleName = string;

export function parsePolicy(text: string): Policy {
  const policy = schema.parse(parseYaml(text));
  for (const [role, r] of Object.entries(policy.roles)) {
    for (const p of Object.keys(r.purposes)) if (!(p in policy.purposes)) throw new Error(`policy: role ${role} names unknown purpose ${p}`);
    if (r.defaultPurpose && !(r.defaultPurpose in r.purposes)) throw new Error(`policy: role ${role} default purpose ${r.defaultPurpose} is not one of its purposes`);
  }
  for (const [name, roles] of Object.entries(policy.policies)) for (const r of roles) if (!(r in policy.roles)) throw new Error(`policy: ${name} names unknown role ${r}`);
  return policy;
}

export function loadPolicy(path: string): Policy {
  return parsePolicy(readFileSync(path, "utf8"));
}
