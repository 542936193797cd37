// The customer portal's public surface (DESIGN §11): its vocabulary, field catalogue and
// visibility policy. Portal routes import from here, never from the files behind it.
export * from "./fields.ts";
export * from "./model.ts";
export * from "./policy.ts";
