// Calibration folded into a model's weights: logits z become z / T + shift, which is the last
// layer's weights (and a char-CNN's wide table) divided by T and its bias divided by T plus
// the shift; so the exported graph, the manifest and serving stay as they were and answer
// the calibrated probabilities.
import { type CnnConfig, layout } from "../cnn/model.ts";
import type { Model } from "../train/model.ts";

export type Calibration = {
  /** Temperature fitted on dev (NLL). */
  temperature: number;
  /** Per class, added to the tempered logit (a decision threshold chosen on dev); zeros for none. */
  shift: readonly number[];
};

export function foldCalibrationCnn(
  config: CnnConfig,
  params: Float32Array,
  c: Calibration,
): Float32Array {
  const l = layout(config);
  const t = c.temperature;
  const p = params.slice();
  for (let i = l.out; i < l.cnnSize; i++) p[i] = p[i]! / t;
  for (let j = 0; j < config.classes; j++) p[l.outB + j] = p[l.outB + j]! + (c.shift[j] ?? 0);
  for (let i = l.wide; i < l.size; i++) p[i] = p[i]! / t;
  return p;
}

/** The last (softmax) layer carries every logit, whatever the model's depth. */
export function foldCalibrationSparse(model: Model, c: Calibration): Model {
  const last = model.layers.length - 1;
  const t = c.temperature;
  return {
    ...model,
    layers: model.layers.map((layer, i) =>
      i !== last
        ? layer
        : {
            ...layer,
            weights: layer.weights.map((w) => w / t),
            bias: layer.bias.map((b, j) => b / t + (c.shift[j] ?? 0)),
          },
    ),
  };
}
