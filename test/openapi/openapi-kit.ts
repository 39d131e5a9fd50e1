import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { TestPlatform, TestResponse } from "../kit/test-platform.ts";

/** The parts of an OpenAPI 3.1 document the tests read. */
export type MediaType = { schema?: unknown };
export type Response = { description: string; content?: Record<string, MediaType> };
export type Operation = {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, MediaType> };
  responses: Record<string, Response>;
};
export type OpenApiDocument = { openapi: string; paths: Record<string, Record<string, Operation>>; components: Record<string, unknown> };

export const METHODS = ["get", "put", "post", "delete", "patch"] as const;

export async function fetchDocument(node: TestPlatform): Promise<OpenApiDocument> {
  const answer = await node.request<OpenApiDocument>("GET", "/docs/openapi.json");
  if (answer.status !== 200) throw new Error(`GET /docs/openapi.json answered ${answer.status}`);
  return answer.body;
}

export function operationsOf(document: OpenApiDocument): { method: string; path: string; operation: Operation }[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({ method: method.toUpperCase(), path, operation: item[method]! })));
}

/** The documented path template a concrete path falls under (`/v1/admin/bots/{botId}`), literal segments first. */
export function templateOf(document: OpenApiDocument, method: string, path: string): string | undefined {
  const parts = path.split("?")[0].split("/");
  let best: { template: string; literal: number } | undefined;
  for (const template of Object.keys(document.paths)) {
    if (!document.paths[template][method.toLowerCase()]) continue;
    const pattern = template.split("/");
    if (pattern.length !== parts.length) continue;
    let literal = 0;
    const fits = pattern.every((segment, i) => {
      if (/^\{[^}]+\}$/.test(segment)) return parts[i] !== "";
      literal++;
      return segment === parts[i];
    });
    if (fits && (!best || literal > best.literal)) best = { template, literal };
  }
  return best?.template;
}

/** The documented answer for a status: exact, then its range (`4XX`), then `default`. */
export function documentedAnswer(operation: Operation, status: number): { key: string; response: Response } | undefined {
  for (const key of [String(status), `${String(status)[0]}XX`, "default"]) {
    if (operation.responses[key]) return { key, response: operation.responses[key] };
  }
  return undefined;
}

/**
 * Checks live answers against the document with Ajv (JSON Schema 2020-12, the dialect of
 * OpenAPI 3.1): the status is documented, the content type is one documented for it, and the
 * body matches that content's schema. Answers a list of problems, empty when all is well.
 */
export function createAnswerChecker(document: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ ...document, $id: "openapi.json" });
  const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll("~", "~0").replaceAll("/", "~1")).join("/");

  return function check(method: string, path: string, answer: TestResponse): string[] {
    const where = `${method} ${path} → ${answer.status}`;
    const template = templateOf(document, method, path);
    if (!template) return [`${where}: the operation is not documented`];
    const operation = document.paths[template][method.toLowerCase()];
    const documented = documentedAnswer(operation, answer.status);
    if (!documented) return [`${where}: status not documented (documented: ${Object.keys(operation.responses).join(", ")})`];
    const mediaType = (answer.headers.get("content-type") ?? "").split(";")[0].trim();
    const content = documented.response.content;
    if (!content) return answer.text === "" ? [] : [`${where}: documented without a body, answered ${mediaType} "${answer.text.slice(0, 80)}"`];
    if (!content[mediaType]) return [`${where}: content type ${mediaType || "(none)"} not documented (documented: ${Object.keys(content).join(", ")})`];
    if (content[mediaType].schema === undefined) return [];
    const validate = ajv.getSchema(`openapi.json#/${pointer("paths", template, method.toLowerCase(), "responses", documented.key, "content", mediaType, "schema")}`)!;
    const body = mediaType.endsWith("json") ? answer.body : answer.text;
    if (validate(body)) return [];
    return [`${where}: body does not match the documented schema: ${ajv.errorsText(validate.errors, { separator: "; " })} — body: ${answer.text.slice(0, 300)}`];
  };
}
