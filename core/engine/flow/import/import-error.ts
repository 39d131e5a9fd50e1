/** 422 IMPORT_INVALID: a file handed to the import is not what its `format` says; `details` names each place. */
import { z } from "zod";
import { PlatformError } from "../../../sdk/platform-error.ts";

export type ImportProblem = { path: string; problem: string };

export class ImportInvalidError extends PlatformError {
  constructor(format: string, details: readonly ImportProblem[]) {
    const first = details[0];
    const summary = first ? `${first.path || "(file)"}: ${first.problem}` : "it is not one";
    super("IMPORT_INVALID", `This is not a ${format} flow we can import (${details.length} problem${details.length === 1 ? "" : "s"}; first: ${summary})`, { status: 422, data: { details: [...details] } });
    this.name = "ImportInvalidError";
  }
}

/** `groups[2].blocks[0].type`, for problems a person can find in their file. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.map((k) => (typeof k === "number" ? `[${k}]` : `.${String(k)}`)).join("").replace(/^\./, "");
}

export function problemsOf(error: z.ZodError): ImportProblem[] {
  return error.issues.slice(0, 50).map((issue) => ({ path: issuePath(issue.path), problem: issue.message }));
}
