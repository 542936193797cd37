// `npm run train` (or `-- --all`): retrains every shipped model in order and exports them.
// `npm run train -- --task sentiment-zh-base|sentiment-zh|sentiment-en|intent-en | --data
// FILE.jsonl --lang zh|en`: one task: loads its data, trains, evaluates on its held-out set
// and writes the artifact.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { renderCnnCard } from "../cnn/card.ts";
import { trainCharCnn } from "../cnn/task.ts";
import { FeatureConfigSchema } from "../features/config.ts";
import { extract } from "../features/extract.ts";
import { runSentiment, SENTIMENT_TASKS, type SentimentTask } from "../sentiment/task.ts";
import { decodeModel, encodeModel } from "./codec.ts";
import { labelSet, parseJsonl, type Row, stratifiedSplit } from "./dataset.ts";
import { averageLogits } from "./ensemble.ts";
import { featureScale, foldScale, scaleExamples } from "./feature-weights.ts";
import { renderModelCard } from "./model-card.ts";
import { PRESETS, type Preset } from "./tasks.ts";
import { type Example, score, type TrainOptions, train } from "./trainer.ts";

const repoRoot = resolve(import.meta.dirname, "../..");
const { values: args } = parseArgs({
  options: {
    task: { type: "string" },
    data: { type: "string" },
    lang: { type: "string" },
    "data-dir": { type: "string", default: resolve(repoRoot, "../shared/data") },
    seed: { type: "string", default: "1" },
    epochs: { type: "string" },
    kind: { type: "string" },
    hidden: { type: "string" },
    lr: { type: "string" },
    wd: { type: "string" },
    out: { type: "string" },
    /** JSON merged over the preset's FeatureConfig, e.g. '{"dimensionBits":15}'. */
    features: { type: "string" },
    /** JSON merged over the preset's source weights, e.g. '{"conversation_weak_labels":3}'. */
    "source-weights": { type: "string" },
    /** Every shipped model, in order (the default with no --task and no --data). */
    all: { type: "boolean", default: false },
    /** Sentiment tasks: where train/dev/test.jsonl are (default ml/data/sales-calls). */
    "split-dir": { type: "string" },
    /** Sentiment tasks: score dev only, never read test, write nothing (choosing a config). */
    "dev-only": { type: "boolean", default: false },
    /** Sentiment tasks: JSON merged over the preset, e.g. '{"inDomainWeight":5}'. */
    set: { type: "string" },
  },
});

const started = performance.now();
const seed = Number(args.seed);
const log = (msg: string) =>
  console.log(`[${((performance.now() - started) / 1000).toFixed(1)}s] ${msg}`);
const readRows = (file: string): Row[] => parseJsonl(readFileSync(file, "utf8"));

/**
 * Dependency order: the two-class base sentiment-zh fine-tunes from, then the shipped tasks.
 * Each runs as its own process so its metrics record the command that reproduces it alone.
 */
const ALL_TASKS = ["sentiment-zh-base", "sentiment-zh", "sentiment-en", "intent-en"] as const;
if (args.all || (args.task === undefined && args.data === undefined)) {
  for (const task of ALL_TASKS) {
    log(`── ${task}`);
    // The seed only when it is not the default, so each task records the command it would alone.
    const seedArgs = args.seed === "1" ? [] : ["--seed", args.seed!];
    execFileSync(
      process.execPath,
      [...process.execArgv, import.meta.filename, "--task", task, ...seedArgs],
      { stdio: "inherit" },
    );
  }
  log("── export (ml/onnx/export-models.ts)");
  execFileSync(
    process.execPath,
    [...process.execArgv, join(repoRoot, "ml/onnx/export-models.ts")],
    { stdio: "inherit" },
  );
  log("every shipped model retrained and exported");
  process.exit(0);
}

if ((SENTIMENT_TASKS as readonly string[]).includes(args.task ?? "")) {
  const task = args.task as SentimentTask;
  const outDir = resolve(args.out ?? join(repoRoot, "models", task));
  runSentiment({
    task,
    seed,
    splitDir: args["split-dir"] && resolve(args["split-dir"]),
    dataDir: args["data-dir"]!,
    baseDir: join(repoRoot, "models/sentiment-zh/base"),
    outDir,
    command: `npm run train -- ${process.argv.slice(2).join(" ")}`,
    devOnly: args["dev-only"]!,
    overrides: args.set ? JSON.parse(args.set) : undefined,
    log,
  });
  if (!args["dev-only"] && existsSync(join(repoRoot, "node_modules/.bin/biome")))
    execFileSync(join(repoRoot, "node_modules/.bin/biome"), ["format", "--write", outDir], {
      stdio: "ignore",
    });
  process.exit(0);
}

type Plan = {
  name: string;
  preset: Preset;
  train: Row[];
  valid: Row[];
  evalRows: Row[];
  evalName: string;
  dataNote: string;
};

function plan(): Plan {
  const dataDir = args["data-dir"]!;
  if (args.task === "sentiment-zh-base") {
    const all = readRows(join(dataDir, "sentiment-zh/train.jsonl"));
    // Validate on in-domain chat held out of TRAIN: the dev set is never used for choices.
    const chat = all.filter((r) => r.source === "conversation_weak_labels");
    const { left, right } = stratifiedSplit(chat, 0.1, seed);
    return {
      name: "sentiment-zh-base",
      preset: PRESETS["sentiment-zh-base"],
      train: [...all.filter((r) => r.source !== "conversation_weak_labels"), ...left],
      valid: right,
      evalRows: readRows(join(dataDir, "sentiment-zh/dev.jsonl")),
      evalName:
        "sentiment-zh/dev.jsonl (hand-labelled conversation, never trained on; see how the configuration was chosen)",
      dataNote: "sentiment-zh/train.jsonl",
    };
  }
  const file = args.task === "intent-en" ? join(dataDir, "intent-en/train.jsonl") : args.data;
  if (!file)
    throw new Error(
      "pass --task sentiment-zh-base|sentiment-zh|sentiment-en|intent-en or --data FILE.jsonl --lang zh|en",
    );
  const lang = args.task === "intent-en" ? "en" : args.lang;
  if (lang !== "zh" && lang !== "en") throw new Error("--lang must be zh or en");
  const rows = readRows(file);
  const { left: rest, right: evalRows } = stratifiedSplit(rows, 0.2, seed);
  const { left, right } = stratifiedSplit(rest, 0.1, seed + 1);
  const name = args.task === "intent-en" ? "intent-en" : basename(file).replace(/\.jsonl$/, "");
  return {
    name,
    preset: args.task === "intent-en" ? PRESETS["intent-en"] : PRESETS[`custom-${lang}`],
    train: left,
    valid: right,
    evalRows,
    evalName: `seeded stratified 20% of ${basename(file)} (seed ${seed}), never trained or tuned on`,
    dataNote: file,
  };
}

const p = plan();
// The two-class base lives beside the three-class model it starts (not a served task).
const defaultOut = p.name === "sentiment-zh-base" ? "sentiment-zh/base" : p.name;
const outDir = resolve(args.out ?? join(repoRoot, "models", defaultOut));
const command = `npm run train -- ${process.argv.slice(2).join(" ")}`;
// `npm run check` runs biome over the repo, so committed artifacts are written in its format.
function formatArtifact(): void {
  const biome = join(repoRoot, "node_modules/.bin/biome");
  // Outside the repo (e.g. --out /tmp/x) biome has nothing to say about the files; not an error.
  const insideRepo = !relative(repoRoot, outDir).startsWith("..");
  if (insideRepo && existsSync(biome))
    execFileSync(biome, ["format", "--write", outDir], { stdio: "ignore" });
}

if (
  args.epochs !== undefined &&
  !(Number.isInteger(Number(args.epochs)) && Number(args.epochs) > 0)
) {
  console.error(`--epochs must be a positive integer (got ${args.epochs})`);
  process.exit(2);
}
if (args.kind !== undefined && args.kind !== "linear" && args.kind !== "mlp") {
  console.error(`--kind must be linear or mlp (got ${args.kind})`);
  process.exit(2);
}
const cnnBase = args.kind ? undefined : p.preset.charCnn;
if (cnnBase) {
  // The n-gram flags mean nothing to the CNN; refusing them keeps `command` in metrics.json
  // and the model card a true record of how the artifact was made.
  const ignored = (["lr", "wd", "hidden", "features", "source-weights"] as const).filter(
    (f) => args[f] !== undefined,
  );
  if (ignored.length > 0) {
    console.error(
      `--${ignored.join(", --")}: not options of the ${p.name} char-CNN (try variants with \`npx tsx ml/cnn/cli.ts\`, or train the n-gram model with --kind linear|mlp)`,
    );
    process.exit(2);
  }
}
const cnnPreset = cnnBase && {
  ...cnnBase,
  train: { ...cnnBase.train, ...(args.epochs ? { epochs: Number(args.epochs) } : {}) },
};
if (cnnPreset) {
  const labels = labelSet([...p.train, ...p.valid]);
  log(
    `task ${p.name} (char-CNN): ${p.train.length} train, ${p.valid.length} validation, ${p.evalRows.length} eval rows; seed ${seed}`,
  );
  const result = trainCharCnn(cnnPreset, p, labels, seed, log);
  const trainSeconds = Number(((performance.now() - started) / 1000).toFixed(1));
  log(
    `eval accuracy ${(result.eval.accuracy * 100).toFixed(2)}%, macro-F1 ${(result.eval.macroF1 * 100).toFixed(2)}%`,
  );
  const counts = { train: p.train.length, validation: p.valid.length, eval: result.eval.count };
  const metrics = {
    task: p.name,
    kind: "char-cnn",
    evaluatedOn: p.evalName,
    accuracy: result.eval.accuracy,
    macroF1: result.eval.macroF1,
    perClassF1: Object.fromEntries(labels.map((l, i) => [l, result.eval.perClass[i]!.f1])),
    validationAccuracy: result.validation.accuracy,
    counts,
    selection: cnnPreset.selection,
    checksRun: result.checks,
    bestCheck: result.bestCheck,
    seed,
    trainOptions: cnnPreset.train,
    sourceWeights: cnnPreset.sourceWeights,
    maxLen: cnnPreset.maxLen,
    params: result.params,
    command,
    trainSeconds,
    weightsBytes: result.blob.length,
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "model.json"), `${JSON.stringify(result.header, null, 2)}\n`);
  writeFileSync(join(outDir, result.header.weightsFile), result.blob);
  writeFileSync(join(outDir, "labels.json"), `${JSON.stringify(labels, null, 2)}\n`);
  writeFileSync(
    join(outDir, "feature-config.json"),
    `${JSON.stringify(cnnPreset.wideFeatures, null, 2)}\n`,
  );
  writeFileSync(join(outDir, "metrics.json"), `${JSON.stringify(metrics, null, 2)}\n`);
  writeFileSync(
    join(outDir, "MODEL_CARD.md"),
    renderCnnCard({
      task: p.name,
      preset: cnnPreset,
      result,
      labels,
      evaluatedOn: p.evalName,
      counts,
      seed,
      command,
      trainSeconds,
    }),
  );
  formatArtifact();
  log(`wrote ${outDir} (${(result.blob.length / 2 ** 20).toFixed(2)} MiB of weights)`);
  process.exit(0);
}

const opts: TrainOptions = {
  ...p.preset.train,
  seed,
  ...(args.epochs ? { epochs: Number(args.epochs) } : {}),
  ...(args.kind === "linear" || args.kind === "mlp" ? { kind: args.kind as "linear" | "mlp" } : {}),
  ...(args.hidden ? { hidden: Number(args.hidden) } : {}),
  ...(args.lr ? { learningRate: Number(args.lr) } : {}),
  ...(args.wd ? { weightDecay: Number(args.wd) } : {}),
};
const labels = labelSet([...p.train, ...p.valid]);
const fc = FeatureConfigSchema.parse({
  ...p.preset.featureConfig,
  ...(args.features ? JSON.parse(args.features) : {}),
});
const sourceWeights: Record<string, number> = {
  ...p.preset.sourceWeights,
  ...(args["source-weights"] ? JSON.parse(args["source-weights"]) : {}),
};
const toExamples = (rows: Row[], weighted: boolean): Example[] =>
  rows.map((r) => ({
    x: extract(r.text, fc),
    y: labels.indexOf(r.label),
    weight: weighted ? (sourceWeights[r.source ?? ""] ?? 1) : 1,
  }));
log(
  `task ${p.name}: ${p.train.length} train, ${p.valid.length} validation, ${p.evalRows.length} eval rows; seed ${seed}`,
);
const maxChars = p.preset.maxTrainChars;
const trainRows =
  maxChars === null ? p.train : p.train.filter((r) => Array.from(r.text).length <= maxChars);
const trainEx = toExamples(trainRows, true);
const validEx = toExamples(p.valid, false);
const evalEx = toExamples(p.evalRows, false).filter((e) => e.y >= 0);
log(
  `features extracted (D = 2^${fc.dimensionBits}, ${opts.kind}${opts.kind === "mlp" ? ` ${opts.hidden}` : ""})`,
);
const scale = featureScale(p.preset.weighting, trainEx, 2 ** fc.dimensionBits);
const scaledTrain = scaleExamples(trainEx, scale);
const scaledValid = scaleExamples(validEx, scale);
const members = p.preset.members;
const refitEpochs = p.preset.refitEpochs;
const runs = Array.from({ length: members }, (_, m) => {
  if (members > 1) log(`member ${m + 1}/${members} (seed ${seed + m})`);
  return train(scaledTrain, scaledValid, labels, fc, { ...opts, seed: seed + m }, (r) =>
    log(
      `epoch ${r.epoch}: loss ${r.loss.toFixed(4)}, validation accuracy ${(r.validation.accuracy * 100).toFixed(2)}%${r.best ? " *" : ""}`,
    ),
  );
});
const history = runs[0]!.history;
const validated = averageLogits(runs.map((r) => r.model));
const validationAccuracy = score(validated, scaledValid).accuracy;
if (members > 1) log(`ensemble validation accuracy ${(validationAccuracy * 100).toFixed(2)}%`);
// Validation rows join the refit with their source weights, like every training row.
const refitValid = () => scaleExamples(toExamples(p.valid, true), scale);
// Refit: the validation slice has done its job (early stopping, the epoch count), so the
// shipped members also learn from it, for a fixed number of epochs and with no early stopping.
const fitted =
  refitEpochs === null
    ? validated
    : averageLogits(
        Array.from({ length: members }, (_, m) => {
          log(`refit member ${m + 1}/${members} on train ∪ validation, ${refitEpochs} epochs`);
          return train([...scaledTrain, ...refitValid()], [], labels, fc, {
            ...opts,
            seed: seed + m,
            epochs: refitEpochs,
          }).model;
        }),
      );
// The artifact is a plain model over `extract` output: the scaling lives in its weights.
const trainSeconds = (performance.now() - started) / 1000;
const { header, blob } = encodeModel(foldScale(fitted, scale));
// Scored as stored (first layer in float16, as it ships), not as trained.
const model = decodeModel(header, blob);
const evalMetrics = score(model, evalEx);
log(
  `eval accuracy ${(evalMetrics.accuracy * 100).toFixed(2)}%, macro-F1 ${(evalMetrics.macroF1 * 100).toFixed(2)}%`,
);

mkdirSync(outDir, { recursive: true });
const metrics = {
  task: p.name,
  evaluatedOn: p.evalName,
  accuracy: evalMetrics.accuracy,
  macroF1: evalMetrics.macroF1,
  perClassF1: Object.fromEntries(labels.map((l, i) => [l, evalMetrics.perClass[i]!.f1])),
  validationAccuracy,
  counts: { train: trainRows.length, validation: p.valid.length, eval: evalEx.length },
  members,
  refitEpochs,
  selection: p.preset.selection,
  epochsRun: history.length,
  bestEpoch: history.findLast((h) => h.best)?.epoch,
  seed,
  trainOptions: opts,
  sourceWeights,
  weighting: p.preset.weighting,
  maxTrainChars: maxChars,
  command,
  trainSeconds: Number(trainSeconds.toFixed(1)),
  weightsBytes: blob.length,
};
writeFileSync(join(outDir, "model.json"), `${JSON.stringify(header, null, 2)}\n`);
writeFileSync(join(outDir, header.weightsFile), blob);
writeFileSync(join(outDir, "labels.json"), `${JSON.stringify(labels, null, 2)}\n`);
writeFileSync(join(outDir, "feature-config.json"), `${JSON.stringify(fc, null, 2)}\n`);
writeFileSync(join(outDir, "metrics.json"), `${JSON.stringify(metrics, null, 2)}\n`);
writeFileSync(
  join(outDir, "MODEL_CARD.md"),
  renderModelCard({
    ...metrics,
    labels,
    dataNote: p.dataNote,
    kind: opts.kind,
    hidden: opts.hidden,
    featureConfig: fc,
  }),
);
formatArtifact();
log(
  `wrote ${outDir} (${(blob.length / 2 ** 20).toFixed(2)} MiB of weights) in ${((performance.now() - started) / 1000).toFixed(1)}s`,
);
