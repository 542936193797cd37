// Building blocks shared by the exporters (export.ts, export-cnn.ts): initializer helpers, the
// sparse "gather the touched rows and sum them" block, and the classifier wrapper that adds
// softmax and the logits/probabilities outputs every shipped graph has.
import { toFloat16Array } from "./float16.ts";
import { DataType, encodeModel, type Node, type Tensor, type ValueInfo } from "./onnx-proto.ts";

/** IR 8 / opset 17 is the newest pair every onnxruntime since 1.14 loads. */
const IR_VERSION = 8;
const OPSET = 17;

export const f32 = (name: string, dims: number[], data: Float32Array): Tensor => ({
  name,
  dataType: DataType.FLOAT,
  dims,
  data,
});
export const f16 = (name: string, dims: number[], data: Float32Array): Tensor => ({
  name,
  dataType: DataType.FLOAT16,
  dims,
  data: toFloat16Array(data),
});
export const i64 = (name: string, values: number[]): Tensor => ({
  name,
  dataType: DataType.INT64,
  dims: [values.length],
  data: BigInt64Array.from(values, BigInt),
});

/**
 * Σ_k values[k]·table[indices[k], :] over the inputs `indices` [N] and `values` [N], into
 * `out`; costs O(N·columns), not O(rows). A float16 table's rows are Cast to float32 right
 * after the Gather, so the arithmetic stays float32. Needs int64 initializers `axis0` = [0]
 * and `axis1` = [1].
 */
export function gatherSum(table: string, half: boolean, out: string): Node[] {
  return [
    {
      opType: "Gather",
      name: "gather_rows",
      inputs: [table, "indices"],
      outputs: [half ? "rows_f16" : "rows"],
      attributes: [{ name: "axis", int: 0 }],
    },
    ...(half
      ? [
          {
            opType: "Cast",
            name: "rows_to_f32",
            inputs: ["rows_f16"],
            outputs: ["rows"],
            attributes: [{ name: "to", int: DataType.FLOAT }],
          },
        ]
      : []),
    // Opset ≥13 takes Unsqueeze/ReduceSum axes as tensor inputs, not attributes.
    { opType: "Unsqueeze", name: "column", inputs: ["values", "axis1"], outputs: ["weights_col"] },
    { opType: "Mul", name: "scale_rows", inputs: ["rows", "weights_col"], outputs: ["scaled"] },
    {
      opType: "ReduceSum",
      name: "sum_rows",
      inputs: ["scaled", "axis0"],
      outputs: [out],
      attributes: [{ name: "keepdims", int: 0 }],
    },
  ];
}

export const SPARSE_INPUTS: ValueInfo[] = [
  { name: "indices", elemType: DataType.INT64, shape: ["N"] },
  { name: "values", elemType: DataType.FLOAT, shape: ["N"] },
];

/** Adds softmax over `logits` [C] and encodes the graph with outputs logits and probabilities. */
export function classifierModel(g: {
  name: string;
  nodes: Node[];
  initializers: Tensor[];
  inputs: ValueInfo[];
  classes: number;
  metadata: Record<string, string>;
  modelVersion?: number;
  docString?: string;
}): Uint8Array {
  const softmax: Node = {
    opType: "Softmax",
    name: "softmax",
    inputs: ["logits"],
    outputs: ["probabilities"],
    attributes: [{ name: "axis", int: -1 }],
  };
  return encodeModel({
    irVersion: IR_VERSION,
    opset: OPSET,
    producerName: "lifeline-ml",
    modelVersion: g.modelVersion ?? 1,
    docString: g.docString ?? "",
    metadata: g.metadata,
    graph: {
      name: g.name,
      nodes: [...g.nodes, softmax],
      initializers: g.initializers,
      inputs: g.inputs,
      outputs: [
        { name: "logits", elemType: DataType.FLOAT, shape: [g.classes] },
        { name: "probabilities", elemType: DataType.FLOAT, shape: [g.classes] },
      ],
    },
  });
}
