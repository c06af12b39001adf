/**
 * Loads and validates the access policy (schema/policy.yaml): roles, purposes, masks, named policies and
 * mask completions. Every name a client can send (a purpose, a role from a token) is looked up as an own
 * key of a prototype-free record, so `toString` or `__proto__` are unknown names like any other.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

export const CLASSES = ["PUBLIC", "INTERNAL", "PERSONAL", "SENSITIVE"] as const;
export type SensitivityClass = (typeof CLASSES)[number];
export type Decision = "allow" | "mask" | "deny";

const decision = z.enum(["allow", "mask", "deny"]);
const classDecisions = z.object({ PUBLIC: decision, INTERNAL: decision, PERSONAL: decision, SENSITIVE: decision }).strict();
const coordinate = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/, "Type.field");

const schema = z
  .object({
    purposes: z.record(z.string(), z.string()),
    masks: z.record(z.string(), z.object({ keepStart: z.number().int().min(0), keepEnd: z.number().int().min(0), stars: z.number().int().min(1).max(32).optional() }).strict()),
    completions: z.record(coordinate, z.array(coordinate)).default({}),
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
export type Role = Policy["roles"][string];
export type RoleName = string;

/** A copy of a record without a prototype: lookups see only its own keys. */
function dict<T>(r: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, r);
}

/** Whether `key` is an own key of `record` (never an inherited one such as `toString`). */
export const owns = (record: object, key: string): boolean => Object.prototype.hasOwnProperty.call(record, key);

export function parsePolicy(text: string): Policy {
  const raw = schema.parse(parseYaml(text));
  const policy: Policy = {
    purposes: dict(raw.purposes),
    masks: dict(raw.masks),
    completions: dict(raw.completions),
    policies: dict(raw.policies),
    roles: dict(Object.fromEntries(Object.entries(raw.roles).map(([k, r]) => [k, { ...r, purposes: dict(r.purposes) }]))),
  };
  for (const [role, r] of Object.entries(policy.roles)) {
    for (const p of Object.keys(r.purposes)) if (!owns(policy.purposes, p)) throw new Error(`policy: role ${role} names unknown purpose ${p}`);
    if (r.defaultPurpose && !owns(r.purposes, r.defaultPurpose)) throw new Error(`policy: role ${role} default purpose ${r.defaultPurpose} is not one of its purposes`);
  }
  for (const [name, roles] of Object.entries(policy.policies)) for (const r of roles) if (!owns(policy.roles, r)) throw new Error(`policy: ${name} names unknown role ${r}`);
  return policy;
}

export function loadPolicy(path: string): Policy {
  return parsePolicy(readFileSync(path, "utf8"));
}

export const roleOf = (policy: Policy, role: string): Role | undefined => (owns(policy.roles, role) ? policy.roles[role] : undefined);
export const isPurpose = (policy: Policy, purpose: string): boolean => owns(policy.purposes, purpose);
export const purposeLabel = (policy: Policy, purpose: string | null): string | null => (purpose && owns(policy.purposes, purpose) ? policy.purposes[purpose] : null);
export const maskOf = (policy: Policy, kind: string | undefined) => (kind && owns(policy.masks, kind) ? policy.masks[kind] : undefined);
export const policyRoles = (policy: Policy, name: string): string[] => (owns(policy.policies, name) ? policy.policies[name] : []);

/** A role's decisions per class for a purpose, or undefined when the role may not use that purpose. */
export function decisionsFor(policy: Policy, role: string, purpose: string | null) {
  const r = roleOf(policy, role);
  return r && purpose && owns(r.purposes, purpose) ? r.purposes[purpose] : undefined;
}
