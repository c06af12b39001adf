/** Types shared by the insights (cross-department checks) service. */
export type FindingKind = "DECEASED_WITH_ACTIVE_BENEFITS" | "LIVING_ALONE_WITH_OTHER_RESIDENTS" | "ALARM_WITHOUT_VISIT";

export interface FindingRecord {
  kind: FindingKind;
  citizenId: string;
  summary: string;
  evidence: { department: string; fact: string }[];
}

/** The Chinese name of an enum value, from its description in the SDL (e.g. SubsidyType.OLD_AGE_ALLOWANCE → 高龄津贴). */
export type Labels = (enumName: string, value: string) => string;

/** Runs a query against the supergraph and returns its data (throws on errors). */
export type Execute = (query: string, variables: Record<string, unknown>) => Promise<Record<string, unknown>>;
