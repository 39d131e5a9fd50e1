/**
 * code: runs the tenant's own function in the sandbox (an isolate in a worker process, through
 * `ctx.runCode`). Like a composite, it sees only what it is given and writes back only what it
 * declares:
 *
 *   { "type": "code",
 *     "content": { "source": "export default async function (input, ctx) { return { output: { greeting: 'Hi ' + input.name }, next: 'default' } }",
 *                  "inputs": { "name": "{{user.name}}" }, "outputs": { "greeting": "user.greeting" }, "grants": ["kv"] },
 *     "connections": { "default": "…", "error": "…" } }
 *
 * `inputs` build `input` (a lone `{{scope.path}}` keeps the variable's type; other strings are
 * templates; other values are taken as they are). Each field of the returned `output` named in
 * `outputs` is written to its variable; other fields are ignored. `next`, when returned, must be
 * one of the node's connections. A failure (a throw, a limit, a result of the wrong shape) is
 * logged with its reason and follows `error` when the node has it; the end user never sees a
 * stack trace.
 */
import { SandboxErrorCode, defineNodeType, isPlatformError, loneVariable, PlatformError, z, type NodeHandler, type NodeValidator } from "../../core/sdk/index.ts";

const variable = z.string().regex(/^[a-z][a-z0-9_]*(\.[A-Za-z0-9_-]+)+$/, "a variable path like user.greeting");
const field = z.string().regex(/^[A-Za-z_$][A-Za-z0-9_$]*$/, "a field name like greeting");

export const codeContent = z.object({
  source: z.string().min(1).max(256 * 1024)
    .describe("JavaScript module (up to 256 KB) whose default export is called as `(input, ctx)` in the sandbox and returns `{ output, next }`"),
  inputs: z.record(field, z.unknown()).default({})
    .describe("The fields of `input`, name → value: a lone `{{scope.path}}` keeps the variable's type, other strings are templates, other JSON is passed as it is"),
  outputs: z.record(field, variable).default({})
    .describe("Which fields of the returned `output` are kept: field name → variable it is written to, e.g. `greeting` → `user.greeting`; others are ignored"),
  grants: z.array(z.string().regex(/^[a-z]+(:[^\s]+)?$/).describe("One capability, e.g. `kv` or `http:api.acme.com`")).max(50).default([])
    .describe("Capabilities the code may use, e.g. `http:api.acme.com`, `kv`, `crypto`, `secrets:api_key`; none by default"),
}).meta({ examples: [{ source: "export default function (input) {\n  return { total: input.price * 2 };\n}" }] });
export type CodeContent = z.infer<typeof codeContent>;

export const codeNode = defineNodeType({
  type: "code",
  description: "Runs the tenant's own JavaScript in the sandbox, with explicit inputs and outputs.",
  content: codeContent,
  connections: "any",
});

export const runCode: NodeHandler<CodeContent> = async (ctx) => {
  const { source, inputs, outputs, grants } = ctx.node.content;
  const input: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(inputs)) {
    const only = typeof value === "string" ? loneVariable(value) : undefined;
    input[name] = only ? ctx.vars.get(only.ref) : typeof value === "string" ? ctx.render(value) : value;
  }
  try {
    const result = await ctx.runCode({ source, input, grants });
    for (const line of result.logs ?? []) ctx.log.info(`code says: ${line}`);
    if (result.next !== undefined && !Object.hasOwn(ctx.node.connections, result.next)) {
      throw new PlatformError(SandboxErrorCode.badResult, `The code chose "${result.next}", which is not a connection of this node`, { status: 422, kind: "user" });
    }
    const output = result.output ?? {};
    for (const [name, target] of Object.entries(outputs)) {
      if (Object.hasOwn(output, name)) ctx.vars.set(target, output[name]);
    }
    return { next: result.next ?? "default" };
  } catch (error) {
    const code = isPlatformError(error) ? error.code : "SANDBOX_FAILED";
    const reason = isPlatformError(error) ? error.message : "The code failed";
    const logs = isPlatformError(error) && Array.isArray(error.data?.logs) ? (error.data.logs as unknown[]).filter((l) => typeof l === "string") : [];
    ctx.log.warn(`Code node failed (${code}): ${reason}`, { code, reason, logs });
    if (Object.hasOwn(ctx.node.connections, "error")) return { next: "error" };
    throw error;
  }
};

export const validateCode: NodeValidator<CodeContent> = (content, node) => {
  const problems: string[] = [];
  if (!/\bexport\s+default\b/.test(content.source)) problems.push(`Code node ${node.id}: the source must have an \`export default\` function`);
  if (!Object.hasOwn(node.connections, "default") && !Object.hasOwn(node.connections, "error")) problems.push(`Code node ${node.id}: it needs a "default" or an "error" connection`);
  return problems;
};
