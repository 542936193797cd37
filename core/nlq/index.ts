// Natural-language query for the customer portal (DESIGN §11, rules in SPEC.md): a
// question becomes a PortalFilter shown back to the user, executed over records the
// visibility policy has projected, and audited by the caller.
export { type ApplyResult, applyFilter, constrainedFields } from "./apply.ts";
export { describeFilter, type Lang } from "./describe.ts";
export {
  PortalFilter,
  RESOURCE_RULES,
  sameFilter,
  TIME_FIELDS,
  TimeField,
} from "./filter.ts";
export { Gazetteer } from "./gazetteer.ts";
export {
  MAX_QUERY_CHARS,
  ParseContext,
  type ParseResult,
  parseQuery,
  UNKNOWN_REASONS,
  type UnknownReason,
} from "./parse.ts";
