// parseQuery: a portal question (zh or en) → a PortalFilter, or `unknown` with example
// questions. Recognisers claim spans in a fixed order (contract id, destination, time,
// amount, lexicon); whatever no recogniser claimed makes the question unknown [NQ2].
import { z } from "zod";
import { CONTRACT_ID } from "../ids.ts";
import { languageOf } from "../insights/language.ts";
import type { DocumentKind, PortalResource } from "../portal/model.ts";
import { findAmount } from "./amount.ts";
import { isoDate, localDay } from "./calendar.ts";
import { describeFilter, type Lang } from "./describe.ts";
import { defaultTimeField, PortalFilter, RESOURCE_RULES, type TimeField } from "./filter.ts";
import { compileGazetteer, Gazetteer } from "./gazetteer.ts";
import { CONCEPTS, type Concept, matchLexicon } from "./lexicon.ts";
import { blank, findAll, leftoverWords, normalizeQuery } from "./spans.ts";
import { suggest } from "./suggest.ts";
import { findTime, type TimeConstraint } from "./time.ts";

/** [NQ1] Longer questions are refused before any other work. */
export const MAX_QUERY_CHARS = 500;

export const ParseContext = z.object({
  /** The instant "today" is taken from (the server's clock, passed in). */
  now: z.union([z.date(), z.number().finite()]),
  /** The customer's IANA time zone, e.g. "Asia/Shanghai". */
  timeZone: z.string().min(1).max(64),
  /** The user's language; detected from the question when absent. */
  lang: z.enum(["zh", "en"]).optional(),
  gazetteer: Gazetteer,
});
export type ParseContext = z.infer<typeof ParseContext>;

export const UNKNOWN_REASONS = [
  "too-long",
  "empty",
  "not-understood",
  "read-only",
  "no-resource",
  "ambiguous-resource",
  "not-applicable",
  "conflict",
] as const;
export type UnknownReason = (typeof UNKNOWN_REASONS)[number];

export type ParseResult =
  | {
      kind: "filter";
      filter: PortalFilter;
      /** The filter read back in both languages, for the user to check and correct. */
      understood: { zh: string; en: string };
      /** 1 when every constraint came from the user's words; lower when a default rule chose. */
      confidence: number;
    }
  | {
      kind: "unknown";
      reason: UnknownReason;
      /** Questions it does understand, in the user's language [NQ10]. */
      suggestions: string[];
      /** The words it did not understand (not-understood, read-only). */
      unrecognized?: string[];
    };

/** What the recognisers found, before a resource is chosen. */
interface Found {
  contractId?: string;
  destinations: Set<string>;
  destinationSurface?: string;
  time?: TimeConstraint;
  amount?: NonNullable<PortalFilter["amount"]>;
  resources: PortalResource[];
  concepts: Concept[];
  documentKinds: DocumentKind[];
  fields: Array<TimeField | "default">;
  actions: string[];
  /** Two resource words joined by a conjunction. */
  joinedResources?: boolean;
  /** Words no recogniser claimed. */
  left: string[];
  problems: UnknownReason[];
}

/** Between two resource words: both were asked for ("orders and invoices") [NQ3]. */
const CONJUNCTION = /^\s*(?:and|or|&|和|或|或者|及|以及|与|跟|、|,)\s*$/;

const CONTRACT_REF =
  /(?:(?:(?:for|of|on) )?(?:contract|order) ?|(?:合同|订单)(?:号|编号)? ?)?(ctr_[0-9a-z]{26}_[0-9a-z]{16})(?![0-9a-z])/g;

function recognise(text: string, today: number, ctx: ParseContext): Found {
  const found: Found = {
    destinations: new Set(),
    resources: [],
    concepts: [],
    documentKinds: [],
    fields: [],
    actions: [],
    left: [],
    problems: [],
  };
  let rest = text;
  const claim = (spans: ReadonlyArray<{ start: number; end: number }>) => {
    rest = blank(rest, spans);
  };

  for (const hit of findAll(rest, CONTRACT_REF)) {
    const id = `ctr_${hit.value[1]!.slice(4).toUpperCase()}`;
    if (!CONTRACT_ID.test(id)) continue;
    if (found.contractId !== undefined && found.contractId !== id) found.problems.push("conflict");
    found.contractId = id;
    claim([hit]);
  }

  const places = compileGazetteer(ctx.gazetteer).match(rest);
  for (const hit of places) {
    if (hit.value.names.length > 1) found.problems.push("conflict");
    for (const name of hit.value.names) found.destinations.add(name);
    if (hit.value.names.length === 1) found.destinationSurface ??= hit.value.surface;
  }
  if (found.destinations.size > 1) found.problems.push("conflict");
  claim(places);

  const time = findTime(rest, today);
  if (time.problem) found.problems.push("conflict");
  found.time = time.time;
  claim(time.spans);

  const amount = findAmount(rest);
  if (amount.problem) found.problems.push("conflict");
  found.amount = amount.amount;
  claim(amount.spans);

  const words = matchLexicon(rest);
  const resourceHits = words.filter((w) => w.value.kind === "resource");
  for (let i = 1; i < resourceHits.length; i++) {
    const between = rest.slice(resourceHits[i - 1]!.end, resourceHits[i]!.start);
    if (CONJUNCTION.test(between)) found.joinedResources = true;
  }
  for (const { value } of words) {
    if (value.kind === "resource") found.resources.push(value.resource);
    else if (value.kind === "status") found.concepts.push(value.concept);
    else if (value.kind === "document") found.documentKinds.push(value.documentKind);
    else if (value.kind === "field") found.fields.push(value.field);
    else if (value.kind === "action") found.actions.push(value.word);
  }
  claim(words);

  found.left = leftoverWords(rest);
  if (found.actions.length > 0) found.problems.unshift("read-only");
  else if (found.left.length > 0) found.problems.unshift("not-understood");
  return found;
}

/** The resources every status, field, amount and kind named could belong to. */
function fitting(found: Found): PortalResource[] {
  const all = Object.keys(RESOURCE_RULES) as PortalResource[];
  return all.filter(
    (r) =>
      found.concepts.every((c) => CONCEPTS[c].statuses[r] !== undefined) &&
      found.fields.every((f) => f === "default" || RESOURCE_RULES[r].timeFields.includes(f)) &&
      (found.amount === undefined || RESOURCE_RULES[r].amount) &&
      (found.documentKinds.length === 0 || r === "document"),
  );
}

type Choice =
  | { resource: PortalResource; byRule: boolean }
  | { problem: "no-resource" | "ambiguous-resource" | "not-applicable" };

/** [NQ3] The one resource a question is about. */
function chooseResource(found: Found): Choice {
  const named = new Set(found.resources);
  if (found.destinations.size > 0) {
    if ([...named].some((r) => r !== "contract" && r !== "delivery"))
      return { problem: "not-applicable" };
    return { resource: "delivery", byRule: !named.has("delivery") };
  }
  if (found.documentKinds.length > 0) {
    if ([...named].some((r) => r !== "contract" && r !== "document"))
      return { problem: "ambiguous-resource" };
    return { resource: "document", byRule: false };
  }
  if (found.joinedResources && named.size > 1) return { problem: "ambiguous-resource" };
  const others = [...named].filter((r) => r !== "contract");
  if (others.length > 1) return { problem: "ambiguous-resource" };
  if (others.length === 1) return { resource: others[0]!, byRule: false };
  if (named.has("contract")) return { resource: "contract", byRule: false };
  if (found.concepts.length === 0 && found.fields.every((f) => f === "default"))
    return { problem: "no-resource" };
  const fits = fitting(found);
  return fits.length === 1 ? { resource: fits[0]!, byRule: true } : { problem: "no-resource" };
}

type Built = { filter: PortalFilter; confidence: number } | { problem: UnknownReason };

function build(found: Found, resource: PortalResource, byRule: boolean): Built {
  const rules = RESOURCE_RULES[resource];
  const explicit = new Set<TimeField>();
  for (const f of found.fields) {
    const field = f === "default" ? defaultTimeField(resource) : f;
    if (!rules.timeFields.includes(field)) return { problem: "not-applicable" };
    explicit.add(field);
  }
  if (explicit.size > 1) return { problem: "conflict" };
  const statuses = new Set<string>();
  const events = new Set<TimeField>();
  for (const concept of found.concepts) {
    const meaning = CONCEPTS[concept];
    const event = meaning.event?.[resource];
    const named = meaning.statuses[resource];
    // [NQ5] beside a time expression, an event word names its date, not a status.
    if (event && found.time && explicit.size === 0) events.add(event);
    else if (named) for (const s of named) statuses.add(s);
    else if (!meaning.neutral?.includes(resource)) return { problem: "not-applicable" };
  }
  if (events.size > 1) return { problem: "conflict" };
  if (new Set(found.documentKinds).size > 1) return { problem: "conflict" };
  if (found.amount && !rules.amount) return { problem: "not-applicable" };
  const field = [...explicit][0] ?? [...events][0] ?? defaultTimeField(resource);
  const time = found.time && {
    field,
    ...(found.time.from !== undefined ? { from: isoDate(found.time.from) } : {}),
    ...(found.time.to !== undefined ? { to: isoDate(found.time.to) } : {}),
  };
  const destination = [...found.destinations][0];
  const candidate = {
    resource,
    ...(time ? { time } : {}),
    ...(destination !== undefined ? { destination } : {}),
    ...(statuses.size > 0 ? { status: [...statuses].sort() } : {}),
    ...(found.amount ? { amount: found.amount } : {}),
    ...(found.documentKinds[0] ? { documentKind: found.documentKinds[0] } : {}),
    ...(found.contractId ? { contractId: found.contractId } : {}),
  };
  const parsed = PortalFilter.safeParse(candidate);
  if (!parsed.success) return { problem: "not-applicable" };
  const confidence = 1 - (byRule ? 0.2 : 0) - (events.size > 0 ? 0.1 : 0);
  return { filter: parsed.data, confidence: Math.round(confidence * 100) / 100 };
}

const detectLang = (text: string): Lang => (languageOf(text) === "zh" ? "zh" : "en");

/**
 * Understands `text` as a filter over one portal resource, or says it did not [NQ2].
 * `ctx` is the server's (the customer's zone and gazetteer); an invalid one throws.
 */
export function parseQuery(text: string, ctx: ParseContext): ParseResult {
  const lang = ctx.lang ?? detectLang(text.slice(0, MAX_QUERY_CHARS));
  const gazetteer = compileGazetteer(ctx.gazetteer);
  const unknown = (reason: UnknownReason, seen?: Found, unrecognized?: string[]): ParseResult => {
    const resources = new Set<PortalResource>(seen?.resources ?? []);
    if (seen?.destinations.size) resources.add("delivery");
    if (seen?.documentKinds.length) resources.add("document");
    for (const c of seen?.concepts ?? [])
      for (const r of Object.keys(CONCEPTS[c].statuses)) resources.add(r as PortalResource);
    const suggestions = suggest(
      lang,
      {
        resources,
        destination: seen?.destinations.size === 1 ? seen.destinationSurface : undefined,
        time: seen?.time !== undefined,
        status: (seen?.concepts.length ?? 0) > 0,
      },
      gazetteer,
    );
    return unrecognized?.length
      ? { kind: "unknown", reason, suggestions, unrecognized }
      : { kind: "unknown", reason, suggestions };
  };
  if (text.length > MAX_QUERY_CHARS) return unknown("too-long");
  const normalized = normalizeQuery(text);
  if (leftoverWords(normalized).length === 0) return unknown("empty");
  const nowMs = typeof ctx.now === "number" ? ctx.now : ctx.now.getTime();
  const today = localDay(nowMs, ctx.timeZone);

  const found = recognise(normalized, today, ctx);
  const first = found.problems[0];
  if (first === "read-only") return unknown(first, found, found.actions);
  if (first === "not-understood") return unknown(first, found, found.left);
  if (first) return unknown(first, found);
  const choice = chooseResource(found);
  if ("problem" in choice) return unknown(choice.problem, found);
  const built = build(found, choice.resource, choice.byRule);
  if ("problem" in built) return unknown(built.problem, found);
  return {
    kind: "filter",
    filter: built.filter,
    understood: { zh: describeFilter(built.filter, "zh"), en: describeFilter(built.filter, "en") },
    confidence: built.confidence,
  };
}
