// GraphInput (text-input.ts) → onnxruntime-web tensors, for the inference worker and for the
// Node tests and benchmarks alike, so both feed a graph exactly the same way.
import { Tensor } from "onnxruntime-web/wasm";
import type { GraphInput } from "./text-input.ts";

const int64 = (a: Int32Array) => new Tensor("int64", BigInt64Array.from(a, BigInt), [a.length]);

export function graphFeeds(input: GraphInput): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  if (input.ids) feeds.ids = int64(input.ids);
  if (input.indices) feeds.indices = int64(input.indices);
  if (input.values) feeds.values = new Tensor("float32", input.values, [input.values.length]);
  return feeds;
}
