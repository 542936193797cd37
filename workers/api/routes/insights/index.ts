// /v1/insights/*: one route per file, mounted here in the order the OpenAPI document lists
// them. Feedback on suggested actions feeds per-strategy adoption (A/B flag below 65%).
import { newRouter } from "../../router.ts";
import { analyze } from "./analyze.ts";
import { feedback } from "./feedback.ts";
import { rules } from "./rules.ts";
import { strategies } from "./strategies.ts";

export const insightRoutes = newRouter();

insightRoutes.route("/", analyze);
insightRoutes.route("/", feedback);
insightRoutes.route("/", strategies);
insightRoutes.route("/", rules);
