/**
 * The administrative and physical structure: street office, communities, grids, property companies,
 * buildings and flats. Only buildings are kept in memory; flats are enumerated on demand from a per-building
 * random stream, so that the structure phase and the household phase see exactly the same flats.
 */
import { fullName, mobile } from "./names";
import { hash32, Rng } from "./rng";

export const STREET_OFFICE = { id: "S-01", name: "安和街道", district: "北京市朝阳区" } as const;
export const CITY_DISTRICT = "北京市朝阳区";
export const HOUSEHOLDS_PER_GRID = 500;
export const VACANCY = 0.1;

const STEM_PREFIXES = ["安和", "幸福", "和平", "光华", "金台", "枣营", "芳园", "红庙", "团结", "延静", "柳芳", "甜水", "康乐",
  "惠新", "望湖", "南湖", "秀水", "建华", "石佛", "双桥", "东风", "静安", "永安", "华严", "六里", "百子", "朝青", "康家",
  "广泽", "龙潭", "华威", "劲松", "潘家", "松榆", "农光", "垂杨", "翠城", "青年", "西坝", "高家"];
const STEM_SUFFIXES = ["东里", "西里", "南里", "北里", "东园", "西园", "南园", "北园", "家园", "新村", "中里", "嘉园", "花园", "小区"];
const ROAD_SUFFIXES = ["路", "街", "大街", "北路", "南路", "东路", "西街"];

export interface CommunityInfo {
  index: number; // 1-based
  id: string;
  stem: string; // 安和东里
  name: string; // 安和东里社区
  address: string;
  provider: string; // home-care service station of the community
  socialWorkers: string[];
  companyId: string;
}

export interface GridInfo {
  id: string;
  name: string;
  communityId: string;
  workerName: string;
  workerPhone: string;
}

export interface CompanyInfo {
  id: string;
  name: string;
  phone: string;
}

export interface BuildingInfo {
  index: number; // global 0-based, order of enumeration
  id: string;
  number: number; // 3 in 3号楼
  community: CommunityInfo;
  gridId: string;
  companyId: string;
  floors: number;
  entrances: number;
  flatsPerFloor: number;
  hasElevator: boolean;
  builtYear: number;
  units: number;
}

export interface UnitInfo {
  id: string;
  number: string; // 1单元502
  floor: number;
  areaSqm: number;
  address: string; // 北京市朝阳区安和东里3号楼1单元502
}

export interface Structure {
  communities: CommunityInfo[];
  grids: GridInfo[];
  companies: CompanyInfo[];
  buildings: BuildingInfo[];
  totalUnits: number;
}

const pad = (n: number, w: number): string => String(n).padStart(w, "0");

const COMPANY_NAMES = ["北京安和物业服务有限公司", "北京华远物业管理有限公司", "北京朝阳房地物业管理有限公司",
  "北京金台物业服务有限公司", "北京康居物业管理有限公司", "北京和信物业服务有限公司", "北京首安物业管理有限公司",
  "北京鑫源物业服务有限公司"];

function communityStems(rng: Rng, count: number): string[] {
  const fixed = ["安和东里", "幸福西园"];
  const rest: string[] = [];
  for (const p of STEM_PREFIXES) for (const s of STEM_SUFFIXES) if (!fixed.includes(p + s)) rest.push(p + s);
  for (let i = rest.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [rest[i], rest[j]] = [rest[j]!, rest[i]!];
  }
  const all = [...fixed, ...rest];
  const stems: string[] = [];
  for (let i = 0; i < count; i++) stems.push(i < all.length ? all[i]! : `${all[i % all.length]}${Math.floor(i / all.length) + 1}区`);
  return stems;
}

/**
 * Lays out enough flats for `occupied` households (plus ~10% vacant), in max(2, round(citizens/6000))
 * communities of 2+ grids of about 500 households each.
 */
export function buildStructure(seed: number, citizens: number, occupied: number): Structure {
  const rng = new Rng(seed, 101);
  const communityCount = Math.max(2, Math.round(citizens / 6000));
  const companyCount = Math.min(COMPANY_NAMES.length, 2 + Math.floor(communityCount / 8));
  const companies: CompanyInfo[] = [];
  for (let i = 0; i < companyCount; i++) {
    companies.push({ id: `PC-${pad(i + 1, 2)}`, name: COMPANY_NAMES[i]!, phone: `010-${rng.int(6, 8)}${pad(rng.int(0, 9_999_999), 7)}` });
  }
  const stems = communityStems(rng, communityCount);
  const gridsPerCommunity = Math.max(2, Math.round(occupied / communityCount / HOUSEHOLDS_PER_GRID));
  const unitsPerGrid = Math.max(1, Math.ceil(occupied / (1 - VACANCY) / (communityCount * gridsPerCommunity)));

  const communities: CommunityInfo[] = [];
  const grids: GridInfo[] = [];
  const buildings: BuildingInfo[] = [];
  let totalUnits = 0;
  for (let c = 1; c <= communityCount; c++) {
    const stem = stems[c - 1]!;
    const prefix = stem.slice(0, 2);
    const id = `C-${pad(c, 2)}`;
    const community: CommunityInfo = {
      index: c,
      id,
      stem,
      name: `${stem}社区`,
      address: `${CITY_DISTRICT}${prefix}${rng.pick(ROAD_SUFFIXES)}${rng.int(1, 120)}号`,
      provider: `${prefix}居家养老服务驿站`,
      socialWorkers: [0, 1, 2].map(() => fullName(rng, rng.chance(0.3), rng.int(1975, 1998))),
      companyId: companies[(c - 1) % companyCount]!.id,
    };
    communities.push(community);
    let buildingNo = 0;
    for (let g = 1; g <= gridsPerCommunity; g++) {
      const gridId = `G-${pad(c, 2)}${pad(g, 2)}`;
      grids.push({
        id: gridId,
        name: `${community.name}第${g}网格`,
        communityId: id,
        workerName: fullName(rng, rng.chance(0.4), rng.int(1970, 1998)),
        workerPhone: mobile(rng),
      });
      let units = 0;
      while (units < unitsPerGrid) {
        const need = unitsPerGrid - units;
        const b = nextBuilding(rng, need);
        buildingNo++;
        const count = b.floors * b.entrances * b.flatsPerFloor;
        buildings.push({
          index: buildings.length,
          id: `B-${pad(c, 2)}-${pad(buildingNo, 3)}`,
          number: buildingNo,
          community,
          gridId,
          companyId: b.builtYear >= 2008 && rng.chance(0.5) ? companies[(c + 1) % companyCount]!.id : community.companyId,
          ...b,
          units: count,
        });
        units += count;
      }
      totalUnits += units;
    }
  }
  return { communities, grids, companies, buildings, totalUnits };
}

type Shape = Pick<BuildingInfo, "floors" | "entrances" | "flatsPerFloor" | "hasElevator" | "builtYear">;

/**
 * An old walk-up (6 floors, no lift) or a newer high-rise (18–28 floors, lift). The last building of a grid is
 * cut to size so that the grid gets close to the number of flats it needs.
 */
function nextBuilding(rng: Rng, need: number): Shape {
  const walkup = (entrances: number): Shape => ({ floors: 6, entrances, flatsPerFloor: 2, hasElevator: false, builtYear: rng.int(1985, 2005) });
  const shape: Shape = rng.chance(0.55)
    ? walkup(rng.int(2, 4))
    : { floors: rng.int(18, 28), entrances: rng.int(1, 2), flatsPerFloor: rng.int(2, 4), hasElevator: true, builtYear: rng.int(1996, 2020) };
  if (shape.floors * shape.entrances * shape.flatsPerFloor <= need) return shape;
  if (need <= 72) return walkup(Math.max(1, Math.ceil(need / 12)));
  if (!shape.hasElevator) return need <= 96 ? walkup(Math.ceil(need / 12)) : shape;
  if (Math.ceil(need / shape.flatsPerFloor) <= 28) shape.entrances = 1;
  shape.floors = Math.max(18, Math.ceil(need / (shape.entrances * shape.flatsPerFloor)));
  return shape;
}

export function buildingName(b: BuildingInfo): string {
  return `${b.number}号楼`;
}

export function buildingAddress(b: BuildingInfo): string {
  return `${b.community.stem}${b.number}号楼`;
}

/** All flats of a building, in a fixed order, with areas from the building's own random stream. */
export function* unitsOf(b: BuildingInfo, seed: number): Generator<UnitInfo> {
  const rng = new Rng(hash32(seed, 211, b.index));
  const base = `U-${b.id.slice(2)}-`;
  const address = CITY_DISTRICT + buildingAddress(b);
  const [lo, hi] = b.hasElevator ? [60, 140] : [35, 90];
  const typical: number[] = [];
  for (let k = 0; k < b.flatsPerFloor; k++) typical.push(rng.int(lo, hi));
  for (let e = 1; e <= b.entrances; e++) {
    for (let floor = 1; floor <= b.floors; floor++) {
      for (let k = 1; k <= b.flatsPerFloor; k++) {
        const flat = `${floor}${pad(k, 2)}`;
        const areaSqm = Math.min(hi, Math.max(lo, typical[k - 1]! + rng.int(-3, 3)));
        yield { id: `${base}${e}-${flat}`, number: `${e}单元${flat}`, floor, areaSqm, address: `${address}${e}单元${flat}` };
      }
    }
  }
}
