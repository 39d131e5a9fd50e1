/**
 * `multipart/form-data` bodies, parsed by the WHATWG `Response.formData()` that Node ships (no
 * extra dependency). The body is already bounded by the route's body limit when this runs. Text
 * fields stay strings; a file becomes `{ filename, type, contentBase64 }`, the shape JSON uploads
 * use, so a route validates both the same way.
 */
import { ValidationError } from "../../sdk/platform-error.ts";
import { nulRefused } from "./request-guards.ts";

export type UploadedFile = { filename: string; type: string; contentBase64: string };

export async function parseMultipart(body: Buffer, contentType: string): Promise<Record<string, string | UploadedFile>> {
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(body), { headers: { "content-type": contentType } }).formData();
  } catch {
    throw new ValidationError("MULTIPART_INVALID", "The multipart body could not be read (check its boundary)");
  }
  const fields: Record<string, string | UploadedFile> = {};
  for (const [name, value] of form.entries()) {
    // A file's content may hold any byte; its name and the text fields may not hold NUL.
    if (name.includes("\u0000") || (typeof value === "string" ? value : value.name).includes("\u0000")) throw nulRefused("form");
    if (name in fields) throw new ValidationError("MULTIPART_FIELD_REPEATED", `The form field "${name}" is given twice`);
    fields[name] = typeof value === "string" ? value : { filename: value.name, type: value.type, contentBase64: Buffer.from(await value.arrayBuffer()).toString("base64") };
  }
  return fields;
}

export function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === "object" && value !== null && "contentBase64" in value && "filename" in value;
}
