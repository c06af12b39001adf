/**
 * Who may do what in the registry: data stewards (role `data-steward`) may do everything; a department
 * officer (role `department-officer`, its department in the token's `org`) may check and publish only its
 * own department's subgraph; everyone else is refused with FORBIDDEN.
 */
import { RegistryError } from "./errors";
import { SYSTEM_ACTOR, type Actor } from "./types";

export const STEWARD_ROLE = "data-steward";
export const DEPARTMENT_ROLE = "department-officer";

const isSystem = (a: Actor) => a === SYSTEM_ACTOR;

export function requireSteward(actor: Actor, what: string): void {
  if (isSystem(actor) || actor.role === STEWARD_ROLE) return;
  throw new RegistryError("FORBIDDEN", `only a data steward may ${what} (you are ${actor.role} ${actor.sub})`);
}

/** A steward, or the officer of the department that owns the subgraph (a new subgraph is owned by the publisher's department). */
export function requirePublisher(actor: Actor, subgraph: string, owner: string | undefined): void {
  if (isSystem(actor) || actor.role === STEWARD_ROLE) return;
  if (actor.role === DEPARTMENT_ROLE) {
    if ((owner ?? actor.org) === actor.org) return;
    throw new RegistryError("FORBIDDEN", `subgraph ${subgraph} belongs to ${owner}; a department officer of ${actor.org} may check and publish only its own department's subgraph`);
  }
  throw new RegistryError("FORBIDDEN", `role ${actor.role} may not check or publish subgraphs (data stewards and department officers may)`);
}
