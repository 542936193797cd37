// Classification metrics over label indices: accuracy, per-class precision/recall/F1 and
// macro-F1 (the unweighted mean, so rare intents count as much as common ones).

export type ClassMetrics = { precision: number; recall: number; f1: number; support: number };

export type Metrics = {
  accuracy: number;
  macroF1: number;
  count: number;
  perClass: ClassMetrics[];
  /** confusion[truth][predicted] */
  confusion: number[][];
};

export function evaluate(
  truth: readonly number[],
  predicted: readonly number[],
  classes: number,
): Metrics {
  if (truth.length !== predicted.length) throw new Error("truth and predictions differ in length");
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  truth.forEach((t, i) => {
    const p = predicted[i]!;
    confusion[t]![p]!++;
    if (t === p) correct++;
  });
  const perClass = confusion.map((row, c) => {
    const tp = row[c]!;
    const support = row.reduce((s, v) => s + v, 0);
    const predictedAs = confusion.reduce((s, r) => s + r[c]!, 0);
    const precision = predictedAs === 0 ? 0 : tp / predictedAs;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { precision, recall, f1, support };
  });
  return {
    accuracy: truth.length === 0 ? 0 : correct / truth.length,
    macroF1: perClass.reduce((s, c) => s + c.f1, 0) / Math.max(1, classes),
    count: truth.length,
    perClass,
    confusion,
  };
}
