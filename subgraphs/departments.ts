/** The four department systems, in one list that everything else iterates over. */
export const DEPARTMENTS = ["civil-affairs", "public-security", "elderly-care", "property-management"] as const;
export type Department = (typeof DEPARTMENTS)[number];
