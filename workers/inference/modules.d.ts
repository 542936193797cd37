// Types for the non-JS modules wrangler's rules in wrangler.toml turn into imports.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}

declare module "*.onnx" {
  const bytes: ArrayBuffer;
  export default bytes;
}
