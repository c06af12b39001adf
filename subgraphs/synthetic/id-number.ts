/**
 * Resident identity card numbers (公民身份号码, GB 11643-1999):
 * 6-digit region code + birth date YYYYMMDD + 3-digit sequence (odd = male, even = female) + check character.
 */
import { compactDate, dayFromYmd, DAY_MS } from "./dates";
import { hash32, Weighted } from "./rng";

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = "10X98765432";

/** Check character for the first 17 digits (ISO 7064 MOD 11-2). */
export function idNumberCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new Error(`expected 17 digits, got ${JSON.stringify(first17)}`);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i]!;
  return CHECK[sum % 11]!;
}

/** Format, real calendar birth date and check character. */
export function isValidIdNumber(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const day = dayFromYmd(y, m, d);
  const back = new Date(day * DAY_MS);
  if (y < 1800 || back.getUTCFullYear() !== y || back.getUTCMonth() + 1 !== m || back.getUTCDate() !== d) return false;
  return idNumberCheckChar(id.slice(0, 17)) === id[17];
}

/** Birth date (UTC midnight) and gender encoded in an ID number. */
export function decodeIdNumber(id: string): { birthDate: Date; gender: "MALE" | "FEMALE" } {
  const day = dayFromYmd(Number(id.slice(6, 10)), Number(id.slice(10, 12)), Number(id.slice(12, 14)));
  return { birthDate: new Date(day * DAY_MS), gender: Number(id[16]) % 2 === 1 ? "MALE" : "FEMALE" };
}

/** The district itself (朝阳区) and a few other Beijing districts for locals registered here. */
export const LOCAL_REGIONS = new Weighted<string>([
  ["110105", 84], // 北京市朝阳区
  ["110101", 4], // 东城区
  ["110102", 4], // 西城区
  ["110108", 8], // 海淀区
]);

/** Birthplaces of the floating population: prefecture/district codes of other provinces. */
export const OTHER_REGIONS = new Weighted<string>([
  ["130102", 10], // 河北省石家庄市长安区
  ["130602", 8], // 河北省保定市竞秀区
  ["131002", 6], // 河北省廊坊市安次区
  ["120101", 4], // 天津市和平区
  ["140105", 4], // 山西省太原市小店区
  ["150102", 3], // 内蒙古呼和浩特市新城区
  ["210102", 4], // 辽宁省沈阳市和平区
  ["230102", 4], // 黑龙江省哈尔滨市道里区
  ["320102", 3], // 江苏省南京市玄武区
  ["340102", 5], // 安徽省合肥市瑶海区
  ["370102", 6], // 山东省济南市历下区
  ["410102", 8], // 河南省郑州市中原区
  ["420102", 5], // 湖北省武汉市江岸区
  ["430102", 4], // 湖南省长沙市芙蓉区
  ["510104", 5], // 四川省成都市锦江区
  ["610102", 3], // 陕西省西安市新城区
  ["360102", 3], // 江西省南昌市东湖区
]);

const ALL_REGIONS = ["110105", "110101", "110102", "110108", "130102", "130602", "131002", "120101", "140105", "150102",
  "210102", "230102", "320102", "340102", "370102", "410102", "420102", "430102", "510104", "610102", "360102"];

const STEP = 37; // coprime with 500 and 499: walks every sequence number once
const FIRST_DAY = dayFromYmd(1900, 1, 1);

/**
 * Hands out unique ID numbers. Memory is one counter per (region, birth day, gender), independent of the
 * number of people. When a day is exhausted the birth date moves one day earlier (the caller uses the
 * returned day as the person's birth date).
 */
export class IdNumberAllocator {
  private readonly counts: Uint16Array;
  private readonly days: number;

  constructor(
    lastDay: number,
    private readonly seed: number,
  ) {
    this.days = lastDay - FIRST_DAY + 1;
    this.counts = new Uint16Array(ALL_REGIONS.length * this.days * 2);
  }

  allocate(region: string, birthDay: number, male: boolean): { idNumber: string; birthDay: number } {
    const r = ALL_REGIONS.indexOf(region);
    if (r < 0) throw new Error(`unknown region ${region}`);
    const cap = male ? 500 : 499;
    for (let day = birthDay; day >= FIRST_DAY; day--) {
      const slot = (r * this.days + (day - FIRST_DAY)) * 2 + (male ? 1 : 0);
      const n = this.counts[slot]!;
      if (n >= cap) continue;
      this.counts[slot] = n + 1;
      const k = (hash32(this.seed, r, day, male ? 1 : 0) + n * STEP) % cap;
      const seq = male ? 2 * k + 1 : 2 * k + 2; // male 001…999 odd, female 002…998 even
      const first17 = region + compactDate(day) + String(seq).padStart(3, "0");
      return { idNumber: first17 + idNumberCheckChar(first17), birthDay: day };
    }
    throw new Error("ID number space exhausted");
  }
}
