import { parse as parseForm } from "node:querystring";
import { checkFormFields, checkJsonText } from "./request-guards.ts";

/**
 * The gateway's body parsers, over the exact text received: JSON (depth and NUL checked before
 * `JSON.parse`) and URL-encoded forms (flat: `a[b]=1` stays the field `a[b]`). Shared by the
 * application's own parsers and the routes that verify a signature before anything is parsed.
 */
export function parseJsonText(text: string): unknown {
  if (text === "") throw Object.assign(new Error("empty JSON body"), { code: "FST_ERR_CTP_EMPTY_JSON_BODY", statusCode: 400 });
  checkJsonText(text);
  try {
    return JSON.parse(text);
  } catch {
    throw Object.assign(new Error("invalid JSON"), { code: "FST_ERR_CTP_INVALID_JSON_BODY", statusCode: 400 });
  }
}

export function parseFormText(text: string): Record<string, string | string[]> {
  const fields = parseForm(text);
  checkFormFields(fields);
  return fields as Record<string, string | string[]>;
}

/** The media type of a Content-Type header, without its parameters, in lower case. */
export function mediaTypeOf(header: string | undefined): string | undefined {
  const type = header?.split(";")[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

/** A body in one of the types above, parsed; any other type is refused (415). */
export function parseBodyText(contentType: string | undefined, text: string): unknown {
  const type = mediaTypeOf(contentType);
  if (type === "application/json" || type?.endsWith("+json")) return parseJsonText(text);
  if (type === "application/x-www-form-urlencoded") return parseFormText(text);
  if (type === undefined && text === "") return undefined;
  throw Object.assign(new Error(`unsupported media type ${type ?? "(none)"}`), { code: "FST_ERR_CTP_INVALID_MEDIA_TYPE", statusCode: 415 });
}
