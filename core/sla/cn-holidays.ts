// China's public holidays and make-up working days (调休), by year, for cn tenants' SLA
// calendars. UPDATE YEARLY: the State Council publishes next year's schedule around November.
//
// 2026 — 国务院办公厅关于2026年部分节假日安排的通知 (国办发明电〔2025〕7号), dated 2025-11-04,
//   published by Xinhua; transcribed in full: every day off and every make-up working day.
// 2027 — the notice is not yet published (expected around November 2026). Listed are only the
//   statutory days fixed by 全国年节及纪念日放假办法 (as amended in November 2024, in force since
//   2025-01-01: 13 days, 除夕 and 5月2日 added), which are off whatever the notice says. The
//   substitute days for statutory days falling on a weekend, the bridging days and the make-up
//   Saturdays/Sundays are NOT included: until the notice is transcribed here, a cn clock in 2027
//   counts some days off as working days. Lunar dates: 正月初一 falls on 2027-02-06 (new moon
//   23:56 Beijing time; ICU's Chinese calendar says 02-07, which is wrong), 端午 06-09, 中秋
//   09-15; 清明 (a solar term) on 04-05.

/** One festival of a year: its statutory days, every day off and the make-up working days. */
export interface CnFestival {
  readonly name: string;
  /** Days off by law; each is off, or if it falls on a weekend compensated by another day off. */
  readonly statutory: readonly string[];
  /** Every day off in the festival's block, weekends included. */
  readonly off: readonly string[];
  /** Saturdays and Sundays that are working days to pay for the block (调休上班). */
  readonly workingWeekends: readonly string[];
}

export interface CnHolidayYear {
  /** `official`: the State Council notice transcribed; `statutory-only`: see the file header. */
  readonly status: "official" | "statutory-only";
  readonly source: string;
  readonly festivals: readonly CnFestival[];
}

function days(month: string, first: number, last: number, year = 2026): string[] {
  const out: string[] = [];
  for (let d = first; d <= last; d++) out.push(`${year}-${month}-${String(d).padStart(2, "0")}`);
  return out;
}

function statutoryOnly(name: string, statutory: string[]): CnFestival {
  return { name, statutory, off: statutory, workingWeekends: [] };
}

/** The schedules by year. The last day the schedule is the official one: CN_OFFICIAL_THROUGH. */
export const CN_PUBLIC_HOLIDAYS: Readonly<Record<number, CnHolidayYear>> = {
  2026: {
    status: "official",
    source: "国务院办公厅关于2026年部分节假日安排的通知 (国办发明电〔2025〕7号, 2025-11-04)",
    festivals: [
      {
        name: "元旦",
        statutory: days("01", 1, 1),
        off: days("01", 1, 3),
        workingWeekends: ["2026-01-04"],
      },
      {
        name: "春节",
        statutory: days("02", 16, 19),
        off: days("02", 15, 23),
        workingWeekends: ["2026-02-14", "2026-02-28"],
      },
      { name: "清明节", statutory: days("04", 5, 5), off: days("04", 4, 6), workingWeekends: [] },
      {
        name: "劳动节",
        statutory: days("05", 1, 2),
        off: days("05", 1, 5),
        workingWeekends: ["2026-05-09"],
      },
      {
        name: "端午节",
        statutory: days("06", 19, 19),
        off: days("06", 19, 21),
        workingWeekends: [],
      },
      {
        name: "中秋节",
        statutory: days("09", 25, 25),
        off: days("09", 25, 27),
        workingWeekends: [],
      },
      {
        name: "国庆节",
        statutory: days("10", 1, 3),
        off: days("10", 1, 7),
        workingWeekends: ["2026-09-20", "2026-10-10"],
      },
    ],
  },
  2027: {
    status: "statutory-only",
    source: "全国年节及纪念日放假办法 (statutory days only; the 2027 notice is not yet published)",
    festivals: [
      statutoryOnly("元旦", days("01", 1, 1, 2027)),
      statutoryOnly("春节", days("02", 5, 8, 2027)),
      statutoryOnly("清明节", days("04", 5, 5, 2027)),
      statutoryOnly("劳动节", days("05", 1, 2, 2027)),
      statutoryOnly("端午节", days("06", 9, 9, 2027)),
      statutoryOnly("中秋节", days("09", 15, 15, 2027)),
      statutoryOnly("国庆节", days("10", 1, 3, 2027)),
    ],
  },
};

/** The last local date covered by an official notice; a cn clock past it runs on partial data. */
export const CN_OFFICIAL_THROUGH = "2026-12-31";

/** Every day off in the schedules above, sorted. */
export const CN_HOLIDAY_DATES: readonly string[] = Object.values(CN_PUBLIC_HOLIDAYS)
  .flatMap((y) => y.festivals.flatMap((f) => f.off))
  .sort();

/** Every make-up working Saturday/Sunday in the schedules above, sorted. */
export const CN_WORKING_WEEKEND_DATES: readonly string[] = Object.values(CN_PUBLIC_HOLIDAYS)
  .flatMap((y) => y.festivals.flatMap((f) => f.workingWeekends))
  .sort();
