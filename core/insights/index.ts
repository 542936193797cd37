// Call insights (DESIGN §7): the pure rules engine behind POST /v1/insights/analyze.

export {
  type AccountContext,
  type AccountFacts,
  accountContextOf,
  MAX_ACCOUNT_ITEMS,
} from "./account.ts";
export type { ActionInput } from "./actions.ts";
export {
  actionsFor,
  budgetState,
  evidenceKinds,
  monthsToFiscalYear,
  nextBestActions,
  renderLocale,
  SENTIMENT_CONFIDENCE,
} from "./actions.ts";
export {
  AB_TEST_MIN_ANSWERS,
  AB_TEST_RULE,
  AB_TEST_THRESHOLD,
  adoptionReport,
  type StrategyAdoption,
} from "./adoption.ts";
export { type AnalyzeInput, analyzeCall } from "./analyze.ts";
export { monthAt } from "./calendar.ts";
export { type CallFacts, callFacts } from "./call-facts.ts";
export { callLocale, languageOf } from "./language.ts";
export { callMetrics, countQuestions, utteranceTalkMs } from "./metrics.ts";
export { fold } from "./normalise.ts";
export { DEFAULT_PRODUCT_LINES } from "./product-lines-default.ts";
export {
  type CompiledRules,
  compileRules,
  effectiveTemplates,
  effectiveTriggers,
  RULES_ENGINE_VERSION,
  rulesFingerprint,
} from "./rules.ts";
export { DEFAULT_RULES } from "./rules-default.ts";
export * from "./schema.ts";
export {
  detectSignals,
  PATTERN_WORK_BUDGET,
  type PatternBudget,
  patternBudget,
} from "./signals.ts";
export { DEFAULT_TEMPLATES } from "./templates-default.ts";
export { decisionTriggers, type TriggerInput } from "./triggers.ts";
export { DEFAULT_TRIGGERS } from "./triggers-default.ts";
