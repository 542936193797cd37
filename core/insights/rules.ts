// A tenant's rules compiled once: the signal matcher, the effective action templates and
// decision triggers, the product-line vocabulary and a fingerprint, so every analysis can
// say exactly which engine and which rules produced it.

import { sha256Hex } from "../crypto/sha256.ts";
import { canonicalJson } from "../encoding.ts";
import { DEFAULT_PRODUCT_LINES } from "./product-lines-default.ts";
import type {
  AccountFactsPolicy,
  ActionTemplate,
  DecisionTrigger,
  InsightRules,
  ProductLine,
} from "./schema.ts";
import { buildMatcher, type SignalMatcher } from "./signals.ts";
import { DEFAULT_TEMPLATES } from "./templates-default.ts";
import { DEFAULT_TRIGGERS } from "./triggers-default.ts";

/** Bump when matching, metrics or action logic changes meaning; data changes show in the fingerprint. */
export const RULES_ENGINE_VERSION = "insights-rules/4";

export interface CompiledRules extends SignalMatcher {
  readonly engine: string;
  readonly fingerprint: string;
  readonly templates: readonly ActionTemplate[];
  readonly triggers: readonly DecisionTrigger[];
  readonly productLines: readonly ProductLine[];
  readonly accountFacts: AccountFactsPolicy;
}

/** The eligibility limits a tenant's replacement keeps from the built-in unless it restates them. */
const LIMITS = ["scales", "authorities", "budget", "stages"] as const;
/** And the product lines it is about: rewording must not widen what it may be offered for. */
const LINE_LIMITS = ["lines", "upgradeFrom"] as const;

/** Built-ins with the tenant's replacements (by strategy id), then its extras, minus disabled. */
function merged<T extends { strategy: string }>(
  builtIns: readonly T[],
  own: readonly T[],
  disabled: ReadonlySet<string>,
  replace: (builtIn: T, replacement: T) => T,
): T[] {
  const byId = new Map(own.map((t) => [t.strategy, t]));
  const kept = builtIns.map((t) => {
    const replacement = byId.get(t.strategy);
    return replacement ? replace(t, replacement) : t;
  });
  const extra = own.filter((t) => !builtIns.some((b) => b.strategy === t.strategy));
  return [...kept, ...extra].filter((t) => !disabled.has(t.strategy));
}

/**
 * Built-in templates minus the disabled ones; a tenant template replaces a built-in of its
 * id, but keeps the built-in's eligibility limits (scale, procurement authority, budget,
 * procurement stage, product lines) that it does not restate: rewording "flagship imaging"
 * must not offer it to a clinic, nor "close now" during a tender.
 */
export function effectiveTemplates(rules: InsightRules): ActionTemplate[] {
  return merged(
    DEFAULT_TEMPLATES,
    rules.actions.templates,
    new Set(rules.actions.disabled),
    (builtIn, replacement) => {
      const when = { ...replacement.when };
      for (const limit of LIMITS) {
        if (when[limit] === undefined && builtIn.when[limit] !== undefined) {
          (when as Record<string, unknown>)[limit] = builtIn.when[limit];
        }
      }
      const out: ActionTemplate = { ...replacement, when };
      for (const limit of LINE_LIMITS) {
        if (out[limit] === undefined && builtIn[limit] !== undefined) out[limit] = builtIn[limit];
      }
      return out;
    },
  );
}

/** Built-in triggers, a tenant's replacing those of their id, its extras; minus disabled. */
export function effectiveTriggers(rules: InsightRules): DecisionTrigger[] {
  return merged(
    DEFAULT_TRIGGERS,
    rules.actions.triggers,
    new Set(rules.actions.disabled),
    (_, replacement) => replacement,
  );
}

/** 16 hex digits of SHA-256 over the canonical JSON of the matching rules and what is in force. */
export function rulesFingerprint(
  rules: InsightRules,
  templates: readonly ActionTemplate[],
  triggers: readonly DecisionTrigger[] = effectiveTriggers(rules),
): string {
  const { signals, competitors, negations, accountFacts } = rules;
  const canonical = canonicalJson({
    engine: RULES_ENGINE_VERSION,
    signals,
    competitors,
    negations,
    productLines: rules.productLines ?? DEFAULT_PRODUCT_LINES,
    templates,
    triggers,
    accountFacts,
  });
  return sha256Hex(canonical).slice(0, 16);
}

/** `rules` must have been parsed by the InsightRules schema. */
export function compileRules(rules: InsightRules): CompiledRules {
  const templates = effectiveTemplates(rules);
  const triggers = effectiveTriggers(rules);
  return {
    ...buildMatcher(rules),
    engine: RULES_ENGINE_VERSION,
    fingerprint: rulesFingerprint(rules, templates, triggers),
    templates,
    triggers,
    productLines: rules.productLines ?? DEFAULT_PRODUCT_LINES,
    accountFacts: rules.accountFacts,
  };
}
