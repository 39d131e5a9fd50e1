/** The content library and its experiments as the API serves them (core/modules/content). */
import { request } from "../api/client.ts";

export type RichMessage =
  | { type: "text"; text: string; delay_ms?: number }
  | { type: "image"; url: string; alt?: string; delay_ms?: number }
  | { type: "buttons"; text: string; buttons: { label: string; value: string }[]; delay_ms?: number };
export type Variant = { id: string; name: string; weight: number; messages: RichMessage[] };
export type ContentItem = {
  id: string; type: string; name: string; tags: string[]; locale: string | null; variants: Variant[];
  winnerVariantId: string | null; createdAt: string; updatedAt: string;
};
export type ItemInput = { type: string; name: string; tags: string[]; locale: string | null; variants: { id?: string; name?: string; weight: number; messages: RichMessage[] }[] };

export type Goal = { kind: "node"; nodeId: string } | { kind: "variable"; variable: string } | { kind: "event"; event: string };
export type ExperimentStatus = "running" | "stopped" | "promoted";
export type Experiment = {
  id: string; itemId: string; botId: string; name: string; goal: Goal; status: ExperimentStatus; winnerVariantId: string | null;
  startedAt: string; endedAt: string | null;
};
export type VariantResult = {
  variantId: string; name: string; weight: number; impressions: number; conversions: number; shows: number;
  rate: number | null; z: number | null; pValue: number | null; confidence: number | null; control: boolean;
};
export type ExperimentResults = Experiment & {
  itemName: string;
  test: { name: string; description: string; controlVariantId: string | null };
  variants: VariantResult[];
  goalProblem: { code: string; message: string } | null;
};

/** The kinds every tenant starts with (content-schemas.ts); a tenant may type its own. */
export const BUILT_IN_TYPES = ["message", "joke", "fact", "quote", "prompt"] as const;

export const contentApi = {
  list: async () => (await request<{ items: ContentItem[] }>("GET", "/v1/admin/content")).items,
  get: (itemId: string) => request<ContentItem>("GET", `/v1/admin/content/${itemId}`),
  create: (body: ItemInput) => request<ContentItem>("POST", "/v1/admin/content", body),
  update: (itemId: string, body: ItemInput) => request<ContentItem>("PATCH", `/v1/admin/content/${itemId}`, body),
  remove: (itemId: string) => request<void>("DELETE", `/v1/admin/content/${itemId}`),
};

export const experimentsApi = {
  list: async (filter: { itemId?: string } = {}) =>
    (await request<{ experiments: Experiment[] }>("GET", `/v1/admin/experiments${filter.itemId ? `?itemId=${encodeURIComponent(filter.itemId)}` : ""}`)).experiments,
  results: (experimentId: string) => request<ExperimentResults>("GET", `/v1/admin/experiments/${experimentId}`),
  create: (body: { name: string; itemId: string; botId: string; goal: Goal }) => request<Experiment>("POST", "/v1/admin/experiments", body),
  promote: (experimentId: string, variantId: string) => request<Experiment>("POST", `/v1/admin/experiments/${experimentId}/promote`, { variantId }),
  stop: (experimentId: string) => request<Experiment>("POST", `/v1/admin/experiments/${experimentId}/stop`),
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
