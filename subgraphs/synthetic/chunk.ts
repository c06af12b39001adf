/** Row types (the Prisma CreateManyInput types of the four department clients) and the chunk being filled. */
import type { Prisma as CA } from "../civil-affairs/generated/client";
import type { Prisma as EC } from "../elderly-care/generated/client";
import type { Prisma as PM } from "../property-management/generated/client";
import type { Prisma as PS } from "../public-security/generated/client";

export type PersonRow = PS.PersonCreateManyInput;
export type HouseholdRow = PS.HouseholdCreateManyInput;
export type ResidencePermitRow = PS.ResidencePermitCreateManyInput;
export type StreetOfficeRow = CA.StreetOfficeCreateManyInput;
export type CommunityRow = CA.CommunityCreateManyInput;
export type GridRow = CA.GridCreateManyInput;
export type CivilRecordRow = CA.CivilRecordCreateManyInput;
export type SubsidyRow = CA.SubsidyCreateManyInput;
export type DisabilityCertificateRow = CA.DisabilityCertificateCreateManyInput;
export type ElderProfileRow = EC.ElderProfileCreateManyInput;
export type EmergencyContactRow = EC.EmergencyContactCreateManyInput;
export type ServiceOrderRow = EC.ServiceOrderCreateManyInput;
export type VisitRow = EC.VisitCreateManyInput;
export type AlarmCallRow = EC.AlarmCallCreateManyInput;
export type PropertyCompanyRow = PM.PropertyCompanyCreateManyInput;
export type BuildingRow = PM.BuildingCreateManyInput;
export type UnitRow = PM.UnitCreateManyInput;
export type ResidenceRow = PM.ResidenceCreateManyInput;
export type FeeAccountRow = PM.FeeAccountCreateManyInput;
export type RepairRequestRow = PM.RepairRequestCreateManyInput;

/** One insertable slice of the data set; keys are Prisma model delegate names. */
export interface DatasetChunk {
  "public-security"?: { person?: PersonRow[]; household?: HouseholdRow[]; residencePermit?: ResidencePermitRow[] };
  "civil-affairs"?: {
    streetOffice?: StreetOfficeRow[];
    community?: CommunityRow[];
    grid?: GridRow[];
    civilRecord?: CivilRecordRow[];
    subsidy?: SubsidyRow[];
    disabilityCertificate?: DisabilityCertificateRow[];
  };
  "elderly-care"?: {
    elderProfile?: ElderProfileRow[];
    emergencyContact?: EmergencyContactRow[];
    serviceOrder?: ServiceOrderRow[];
    visit?: VisitRow[];
    alarmCall?: AlarmCallRow[];
  };
  "property-management"?: {
    propertyCompany?: PropertyCompanyRow[];
    building?: BuildingRow[];
    unit?: UnitRow[];
    residence?: ResidenceRow[];
    feeAccount?: FeeAccountRow[];
    repairRequest?: RepairRequestRow[];
  };
}

/** The rows of one household chunk, in insertion order (parents first within each department). */
export class ChunkRows {
  household: HouseholdRow[] = [];
  person: PersonRow[] = [];
  residencePermit: ResidencePermitRow[] = [];
  civilRecord: CivilRecordRow[] = [];
  subsidy: SubsidyRow[] = [];
  disabilityCertificate: DisabilityCertificateRow[] = [];
  elderProfile: ElderProfileRow[] = [];
  emergencyContact: EmergencyContactRow[] = [];
  serviceOrder: ServiceOrderRow[] = [];
  visit: VisitRow[] = [];
  alarmCall: AlarmCallRow[] = [];
  residence: ResidenceRow[] = [];
  feeAccount: FeeAccountRow[] = [];
  repairRequest: RepairRequestRow[] = [];

  toChunk(): DatasetChunk {
    return {
      "public-security": { household: this.household, person: this.person, residencePermit: this.residencePermit },
      "civil-affairs": { civilRecord: this.civilRecord, subsidy: this.subsidy, disabilityCertificate: this.disabilityCertificate },
      "elderly-care": {
        elderProfile: this.elderProfile,
        emergencyContact: this.emergencyContact,
        serviceOrder: this.serviceOrder,
        visit: this.visit,
        alarmCall: this.alarmCall,
      },
      "property-management": { residence: this.residence, feeAccount: this.feeAccount, repairRequest: this.repairRequest },
    };
  }
}

/** Sequential ids with a prefix per table: SUB-0000001, V-0000001, … */
export class IdSequence {
  /** Number of ids handed out so far (the numeric part of the last one). */
  n = 0;
  constructor(
    private readonly prefix: string,
    private readonly width = 7,
  ) {}
  next(): string {
    this.n++;
    return `${this.prefix}-${String(this.n).padStart(this.width, "0")}`;
  }
}

export interface Sequences {
  permit: IdSequence;
  subsidy: IdSequence;
  disability: IdSequence;
  contact: IdSequence;
  order: IdSequence;
  visit: IdSequence;
  alarm: IdSequence;
  residence: IdSequence;
  fee: IdSequence;
  repair: IdSequence;
}

export function newSequences(): Sequences {
  return {
    permit: new IdSequence("RP"),
    subsidy: new IdSequence("SUB"),
    disability: new IdSequence("DC"),
    contact: new IdSequence("EC"),
    order: new IdSequence("SO"),
    visit: new IdSequence("V"),
    alarm: new IdSequence("AC"),
    residence: new IdSequence("R", 8),
    fee: new IdSequence("FA"),
    repair: new IdSequence("RR"),
  };
}
