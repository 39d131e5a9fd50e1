/**
 * Names for the answers of the typed client, taken from the generated schema (`schema.d.ts`):
 * `Answer<"/v1/admin/bots", "get">` is what a GET of that path answers with 200 (or 201).
 */
import type { paths } from "./schema.d.ts";

type JsonOf<R> = R extends { content: { "application/json": infer T } } ? T : never;
type Success<Responses> = Responses extends { 200: infer R } ? JsonOf<R> : Responses extends { 201: infer R } ? JsonOf<R> : never;

export type Answer<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: infer Responses } ? Success<Responses> : never;
