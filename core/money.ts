// Money is integer minor units plus an ISO 4217 code: never floats, never mixed currencies.
import { z } from "zod";

/** Active ISO 4217 codes whose minor unit is not 2 decimal places. */
const MINOR_UNIT_EXCEPTIONS: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

/** Active ISO 4217 currency codes (funds and precious-metal codes excluded). */
const ISO_4217 = new Set(
  (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP " +
    "BYN BZD CAD CDF CHF CLF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP " +
    "GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS " +
    "KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR " +
    "MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF " +
    "SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD " +
    "TZS UAH UGX USD UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG"
  ).split(" "),
);

export function isCurrency(code: string): boolean {
  return ISO_4217.has(code);
}

export function minorUnitDigits(currency: string): number {
  return MINOR_UNIT_EXCEPTIONS[currency] ?? 2;
}

export const Currency = z
  .string()
  .refine(isCurrency, { message: "must be an ISO 4217 currency code in upper case, e.g. CNY" })
  .meta({ description: "ISO 4217 currency code", example: "CNY" });

const MinorUnits = z
  .number({ error: "must be an integer number of minor units (e.g. fen or cents)" })
  .int({ message: "must be an integer number of minor units (e.g. 12345 = 123.45 CNY)" })
  .refine(Number.isSafeInteger, { message: "is too large to be exact" });

export const Money = z
  .object({ value: MinorUnits, currency: Currency })
  .meta({ description: "Integer minor units plus ISO 4217 currency", id: "Money" });
export type Money = z.infer<typeof Money>;

export const PositiveMoney = z.object({
  value: MinorUnits.refine((v) => v > 0, { message: "must be greater than zero" }),
  currency: Currency,
});

export function zero(currency: string): Money {
  return { value: 0, currency };
}

export function add(a: Money, b: Money): Money {
  if (a.currency !== b.currency) {
    throw new RangeError(`cannot add ${b.currency} to ${a.currency}`);
  }
  const value = a.value + b.value;
  if (!Number.isSafeInteger(value)) throw new RangeError("money overflow");
  return { value, currency: a.currency };
}

/** Renders minor units with the currency's exponent, e.g. {12345, CNY} → "123.45 CNY". */
export function format(m: Money): string {
  const digits = minorUnitDigits(m.currency);
  const sign = m.value < 0 ? "-" : "";
  const abs = Math.abs(m.value)
    .toString()
    .padStart(digits + 1, "0");
  const whole = digits === 0 ? abs : abs.slice(0, -digits);
  const frac = digits === 0 ? "" : `.${abs.slice(-digits)}`;
  return `${sign}${whole}${frac} ${m.currency}`;
}
