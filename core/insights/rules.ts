// A tenant's rules compiled once: the signal matcher, the effective action templates and a
// fingerprint, so every analysis can say exactly which engine and which rules produced it.

import { sha256Hex } from "../crypto/sha256.ts";
import { canonicalJson } from "../encoding.ts";
import type { ActionTemplate, InsightRules } from "./schema.ts";
import { buildMatcher, type SignalMatcher } from "./signals.ts";
import { DEFAULT_TEMPLATES } from "./templates-default.ts";

/** Bump when matching, metrics or action logic changes meaning; data changes show in the fingerprint. */
export const RULES_ENGINE_VERSION = "insights-rules/3";

export interface CompiledRules extends SignalMatcher {
  readonly engine: string;
  readonly fingerprint: string;
  readonly templates: readonly ActionTemplate[];
}

/** The eligibility limits a tenant's replacement keeps from the built-in unless it restates them. */
const LIMITS = ["scales", "authorities", "budget"] as const;

/**
 * Built-in templates minus the disabled ones; a tenant template replaces a built-in of its
 * id, but keeps the built-in's eligibility limits (scale, procurement authority, budget)
 * that it does not restate: rewording "flagship imaging" must not offer it to a clinic.
 */
export function effectiveTemplates(rules: InsightRules): ActionTemplate[] {
  const own = new Map(rules.actions.templates.map((t) => [t.strategy, t]));
  const disabled = new Set(rules.actions.disabled);
  const builtIn = DEFAULT_TEMPLATES.map((t) => {
    const replacement = own.get(t.strategy);
    if (!replacement) return t;
    const when = { ...replacement.when };
    for (const limit of LIMITS) {
      if (when[limit] === undefined && t.when[limit] !== undefined) {
        (when as Record<string, unknown>)[limit] = t.when[limit];
      }
    }
    return { ...replacement, when };
  });
  const extra = [...own.values()].filter(
    (t) => !DEFAULT_TEMPLATES.some((d) => d.strategy === t.strategy),
  );
  return [...builtIn, ...extra].filter((t) => !disabled.has(t.strategy));
}

/** 16 hex digits of SHA-256 over the canonical JSON of the matching rules and the templates in force. */
export function rulesFingerprint(
  rules: InsightRules,
  templates: readonly ActionTemplate[],
): string {
  const { signals, competitors, negations } = rules;
  const canonical = canonicalJson({
    engine: RULES_ENGINE_VERSION,
    signals,
    competitors,
    negations,
    templates,
  });
  return sha256Hex(canonical).slice(0, 16);
}

/** `rules` must have been parsed by the InsightRules schema. */
export function compileRules(rules: InsightRules): CompiledRules {
  const templates = effectiveTemplates(rules);
  return {
    ...buildMatcher(rules),
    engine: RULES_ENGINE_VERSION,
    fingerprint: rulesFingerprint(rules, templates),
    templates,
  };
}
