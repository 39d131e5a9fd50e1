/** The content library and its experiments as the API serves them (core/modules/content). */
import { api, unwrap, type paths } from "../api/client.ts";
import type { Answer } from "../api/answers.ts";

export type ContentItem = Answer<"/v1/admin/content/{itemId}", "get">;
export type ItemInput = NonNullable<paths["/v1/admin/content"]["post"]["requestBody"]>["content"]["application/json"];
export type RichMessage = ItemInput["variants"][number]["messages"][number];
export type Experiment = Answer<"/v1/admin/experiments", "get">["experiments"][number];
export type Goal = Experiment["goal"];
export type ExperimentResults = Answer<"/v1/admin/experiments/{experimentId}", "get">;
export type VariantResult = ExperimentResults["variants"][number];
type ExperimentInput = NonNullable<paths["/v1/admin/experiments"]["post"]["requestBody"]>["content"]["application/json"];

const item = (itemId: string) => ({ params: { path: { itemId } } });
const experiment = (experimentId: string) => ({ params: { path: { experimentId } } });

/** The kinds every tenant starts with (content-schemas.ts); a tenant may type its own. */
export const BUILT_IN_TYPES = ["message", "joke", "fact", "quote", "prompt"] as const;

export const contentApi = {
  list: async () => (await unwrap(api.GET("/v1/admin/content"))).items,
  get: (itemId: string) => unwrap(api.GET("/v1/admin/content/{itemId}", item(itemId))),
  create: (body: ItemInput) => unwrap(api.POST("/v1/admin/content", { body })),
  update: (itemId: string, body: ItemInput) => unwrap(api.PATCH("/v1/admin/content/{itemId}", { ...item(itemId), body })),
  remove: async (itemId: string) => { await unwrap(api.DELETE("/v1/admin/content/{itemId}", item(itemId))); },
};

export const experimentsApi = {
  list: async (filter: { itemId?: string } = {}) =>
    (await unwrap(api.GET("/v1/admin/experiments", { params: { query: filter.itemId ? { itemId: filter.itemId } : {} } }))).experiments,
  results: (experimentId: string) => unwrap(api.GET("/v1/admin/experiments/{experimentId}", experiment(experimentId))),
  create: (body: ExperimentInput) => unwrap(api.POST("/v1/admin/experiments", { body })),
  promote: (experimentId: string, variantId: string) => unwrap(api.POST("/v1/admin/experiments/{experimentId}/promote", { ...experiment(experimentId), body: { variantId } })),
  stop: (experimentId: string) => unwrap(api.POST("/v1/admin/experiments/{experimentId}/stop", experiment(experimentId))),
};

export const contentKeys = {
  all: ["content"] as const,
  item: (itemId: string) => ["content", itemId] as const,
  experiments: ["experiments"] as const,
  experiment: (experimentId: string) => ["experiments", experimentId] as const,
};

/** "12.5%", or a dash when there is nothing to divide. */
export function percent(value: number | null, digits = 1): string {
  return value === null ? "—" : `${(value * 100).toFixed(digits)}%`;
}
