// onnxruntime-web configured for workerd: one thread, and its WASM instantiated from the
// module wrangler pre-compiled, because workerd forbids compiling wasm bytes at runtime.

import ortWasm from "onnxruntime-web/ort-wasm-simd-threaded.wasm";
import * as ort from "onnxruntime-web/wasm";

const instantiate = WebAssembly.instantiate.bind(WebAssembly);

/**
 * Emscripten calls `WebAssembly.instantiate(bytes, imports)` with the (dummy) wasmBinary
 * below; answer with the pre-compiled module instead. Calls passing a Module are untouched.
 */
function instantiatePrecompiled(
  source: BufferSource | WebAssembly.Module,
  imports?: WebAssembly.Imports,
): Promise<WebAssembly.Instance | { module: WebAssembly.Module; instance: WebAssembly.Instance }> {
  if (source instanceof WebAssembly.Module) return instantiate(source, imports);
  return instantiate(ortWasm, imports).then((instance) => ({ module: ortWasm, instance }));
}
WebAssembly.instantiate = instantiatePrecompiled as typeof WebAssembly.instantiate;

ort.env.wasm.numThreads = 1;
// Non-empty so ORT skips fetching the .wasm by URL (workerd has no script URL to resolve).
ort.env.wasm.wasmBinary = new Uint8Array(8);

export { ort };
