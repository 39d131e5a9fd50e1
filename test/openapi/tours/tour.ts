import type { RequestOptions, TestPlatform, TestResponse } from "../../kit/test-platform.ts";

/**
 * What a room's part of the contract tour gets: `call` checks each answer against the document and
 * marks its operation as called. Each room keeps its part in its own file here
 * (`<room>.tour.ts`, exporting `tour`), so routes added by different people never touch the same lines.
 */
export type TourContext = {
  node: TestPlatform;
  call<T = any>(method: string, path: string, options?: RequestOptions & { cookie?: { cookie: string; csrf: string } }): Promise<TestResponse<T>>;
  tenant: { id: string; keys: { admin: string; widget: string } };
  /** A bot of the tenant with the example flow published. */
  botId: string;
  op: { key: string };
  admin: { key: string };
  widget: { key: string };
};

export type Tour = (ctx: TourContext) => Promise<void>;
