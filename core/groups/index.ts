// core/groups public surface: customer success groups and delegated approvals (DESIGN §11).
export * from "./api.ts";
export * from "./decide.ts";
export * from "./kpi.ts";
export * from "./model.ts";
export * from "./policy.ts";
export * from "./state.ts";
export * from "./views.ts";
