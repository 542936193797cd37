// core/ public surface: pure domain logic with no runtime imports (a test enforces it).
export * from "./account/decide.ts";
export * from "./account/evolve.ts";
export * from "./account/state.ts";
export * from "./account/view.ts";
export * from "./backoff.ts";
export { sha256, sha256Hex, toHex } from "./crypto/sha256.ts";
export * from "./encoding.ts";
export * from "./events.ts";
export * from "./hlc.ts";
export * from "./idempotency.ts";
export * from "./ids.ts";
export * from "./money.ts";
export * from "./schemas.ts";
