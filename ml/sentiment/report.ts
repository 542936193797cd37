// How a three-class sentiment model is judged (issue 12): accuracy on the gold positive and
// negative rows, neutral recall, per-class precision/recall/F1, the confusion matrix, and
// expected calibration error; and the temperature that calibrates it (fitted on dev).
import { argmax } from "../serve/argmax.ts";
import { evaluate } from "../train/metrics.ts";
import type { Calibration } from "./fold.ts";

/** Equal-width confidence bins of the expected calibration error. */
export const ECE_BINS = 15;

/**
 * ECE: rows binned by their top probability; the row-weighted mean over bins of
 * |accuracy − mean confidence|. 0 is perfectly calibrated.
 */
export function expectedCalibrationError(
  probs: readonly ArrayLike<number>[],
  truth: readonly number[],
  bins = ECE_BINS,
): number {
  const n = new Array<number>(bins).fill(0);
  const conf = new Array<number>(bins).fill(0);
  const hits = new Array<number>(bins).fill(0);
  probs.forEach((p, i) => {
    const k = argmax(p);
    const c = p[k]!;
    const b = Math.min(bins - 1, Math.floor(c * bins));
    n[b]!++;
    conf[b]! += c;
    if (k === truth[i]) hits[b]!++;
  });
  const total = probs.length;
  if (total === 0) return 0;
  return n.reduce(
    (s, nb, b) => (nb === 0 ? s : s + (nb / total) * Math.abs(hits[b]! / nb - conf[b]! / nb)),
    0,
  );
}

/** softmax(log p / T): what a model whose logits were divided by T answers. */
export function temper(p: ArrayLike<number>, t: number): number[] {
  const z = Array.from(p, (x) => Math.log(Math.max(x, 1e-30)) / t);
  const max = Math.max(...z);
  const e = z.map((x) => Math.exp(x - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

function nll(probs: readonly ArrayLike<number>[], truth: readonly number[], t: number): number {
  let s = 0;
  probs.forEach((p, i) => {
    s -= Math.log(Math.max(temper(p, t)[truth[i]!]!, 1e-12));
  });
  return s / Math.max(1, probs.length);
}

/**
 * The temperature T minimising the negative log-likelihood of `truth` (temperature scaling,
 * Guo et al. 2017): golden-section search on log T over [1/20, 20]. Deterministic.
 */
export function fitTemperature(
  probs: readonly ArrayLike<number>[],
  truth: readonly number[],
): number {
  let lo = Math.log(1 / 20);
  let hi = Math.log(20);
  const r = (Math.sqrt(5) - 1) / 2;
  let a = hi - r * (hi - lo);
  let b = lo + r * (hi - lo);
  let fa = nll(probs, truth, Math.exp(a));
  let fb = nll(probs, truth, Math.exp(b));
  for (let i = 0; i < 60; i++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - r * (hi - lo);
      fa = nll(probs, truth, Math.exp(a));
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + r * (hi - lo);
      fb = nll(probs, truth, Math.exp(b));
    }
  }
  return Math.exp((lo + hi) / 2);
}

/**
 * The shift added to one class's logit (of calibrated probabilities `probs`) that maximises
 * the mean per-class recall on `truth` (balanced accuracy): a decision threshold for that
 * class, chosen on dev. A grid of 0.05 over [−3, 3]; on a tie the shift nearest 0 wins.
 */
export function fitLogitShift(
  probs: readonly ArrayLike<number>[],
  truth: readonly number[],
  cls: number,
  classes: number,
): number {
  const logs = probs.map((p) => Array.from(p, (x) => Math.log(Math.max(x, 1e-30))));
  let best = 0;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let k = 0; k <= 120; k++) {
    // 0, +0.05, −0.05, +0.1, …: nearest 0 first, so a tie keeps the smaller shift.
    const shift = k === 0 ? 0 : (k % 2 === 0 ? -1 : 1) * Math.ceil(k / 2) * 0.05;
    const hits = new Array<number>(classes).fill(0);
    const support = new Array<number>(classes).fill(0);
    logs.forEach((z, i) => {
      const y = truth[i]!;
      support[y]!++;
      let arg = 0;
      for (let j = 1; j < classes; j++)
        if (z[j]! + (j === cls ? shift : 0) > z[arg]! + (arg === cls ? shift : 0)) arg = j;
      if (arg === y) hits[y]!++;
    });
    const present = support.filter((n) => n > 0).length;
    const score =
      hits.reduce((s, h, j) => s + (support[j]! > 0 ? h / support[j]! : 0), 0) / present;
    if (score > bestScore + 1e-12) {
      bestScore = score;
      best = shift;
    }
  }
  return best;
}

/**
 * The calibration fitted on dev: the temperature; then, when `shiftClass` is given, that
 * class's logit shift (fitLogitShift) on the tempered probabilities.
 */
export function fitCalibration(
  probs: readonly ArrayLike<number>[],
  truth: readonly number[],
  classes: number,
  shiftClass: number | null,
): Calibration {
  const temperature = fitTemperature(probs, truth);
  const shift = new Array<number>(classes).fill(0);
  if (shiftClass !== null)
    shift[shiftClass] = fitLogitShift(
      probs.map((p) => temper(p, temperature)),
      truth,
      shiftClass,
      classes,
    );
  return { temperature, shift };
}

export type ClassReport = { precision: number; recall: number; f1: number; support: number };

export type SentimentReport = {
  rows: number;
  /** Three-way accuracy over every row. */
  accuracy: number;
  /** Among rows whose gold label is positive or negative: the share given that label. */
  polarAccuracy: number;
  neutralRecall: number;
  macroF1: number;
  perClass: Record<string, ClassReport>;
  /** confusion[gold][predicted], in `labels` order. */
  confusion: { labels: string[]; matrix: number[][] };
  ece: number;
  /** Mean negative log-likelihood of the gold label. */
  nll: number;
};

/** `labels` are the model's (they must include negative, neutral and positive). */
export function sentimentReport(
  labels: readonly string[],
  gold: readonly string[],
  probs: readonly ArrayLike<number>[],
): SentimentReport {
  const truth = gold.map((g) => {
    const i = labels.indexOf(g);
    if (i < 0) throw new Error(`gold label ${g} is not one of the model's (${labels.join(", ")})`);
    return i;
  });
  const predicted = probs.map(argmax);
  const m = evaluate(truth, predicted, labels.length);
  const polar = truth
    .map((t, i) => [t, predicted[i]!] as const)
    .filter(([t]) => labels[t] !== "neutral");
  const neutral = labels.indexOf("neutral");
  return {
    rows: truth.length,
    accuracy: m.accuracy,
    polarAccuracy: polar.length === 0 ? 0 : polar.filter(([t, p]) => t === p).length / polar.length,
    neutralRecall: neutral < 0 ? 0 : m.perClass[neutral]!.recall,
    macroF1: m.macroF1,
    perClass: Object.fromEntries(labels.map((l, i) => [l, m.perClass[i]!])),
    confusion: { labels: [...labels], matrix: m.confusion },
    ece: expectedCalibrationError(probs, truth),
    nll: nll(probs, truth, 1),
  };
}

export type PolarReport = {
  rows: number;
  /** Argmax over all three classes: a neutral answer counts as wrong. */
  threeWayAccuracy: number;
  /** Positive vs negative alone (the larger of the two): the decision the two-class set labels. */
  polarDecisionAccuracy: number;
  /** Share of rows the model calls neutral. */
  neutralShare: number;
};

/** A two-class set (public dev: hand labels without a neutral option) read by a three-class model. */
export function polarReport(
  labels: readonly string[],
  gold: readonly string[],
  probs: readonly ArrayLike<number>[],
): PolarReport {
  const neg = labels.indexOf("negative");
  const pos = labels.indexOf("positive");
  const neu = labels.indexOf("neutral");
  let three = 0;
  let decision = 0;
  let neutral = 0;
  probs.forEach((p, i) => {
    const k = argmax(p);
    const g = labels.indexOf(gold[i]!);
    if (k === g) three++;
    if (k === neu) neutral++;
    if ((p[pos]! > p[neg]! ? pos : neg) === g) decision++;
  });
  const n = Math.max(1, probs.length);
  return {
    rows: probs.length,
    threeWayAccuracy: three / n,
    polarDecisionAccuracy: decision / n,
    neutralShare: neutral / n,
  };
}
