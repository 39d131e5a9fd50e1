/**
 * Gemini through @google/genai, streamed (`:streamGenerateContent?alt=sse`): each chunk adds text
 * parts and whole `functionCall` parts; `usageMetadata` on the chunks gives the token counts.
 * Gemini caches repeated prompt prefixes implicitly and reports them as `cachedContentTokenCount`.
 */
import { ApiError, GoogleGenAI, type Content, type FunctionDeclaration } from "@google/genai";
import { llmVendorError, type ActionContext, type LlmChatRequest, type LlmChatResponse } from "../../core/sdk/index.ts";

function toGemini(request: LlmChatRequest): { system: string; contents: Content[] } {
  const system: string[] = [];
  const contents: Content[] = [];
  for (const m of request.messages) {
    if (m.role === "system") system.push(m.content);
    else if (m.role === "user") contents.push({ role: "user", parts: [{ text: m.content }] });
    else if (m.role === "assistant") {
      contents.push({ role: "model", parts: [
        ...(m.content ? [{ text: m.content }] : []),
        ...(m.toolCalls ?? []).map((c) => ({ functionCall: { id: c.id, name: c.name, args: c.arguments } })),
      ] });
    } else {
      const part = { functionResponse: { id: m.toolCallId, name: m.name, response: { output: m.content } } };
      const last = contents.at(-1);
      if (last?.role === "user" && last.parts?.every((p) => p.functionResponse)) last.parts.push(part);
      else contents.push({ role: "user", parts: [part] });
    }
  }
  return { system: system.join("\n\n"), contents };
}

/** `live` (set when the caller shows the reply live) gets each text part as it arrives. */
export async function chatWithGemini(request: LlmChatRequest, live?: ActionContext["stream"]): Promise<LlmChatResponse> {
  const ai = new GoogleGenAI({
    apiKey: request.connection.apiKey ?? "none",
    httpOptions: { ...(request.connection.baseUrl ? { baseUrl: request.connection.baseUrl } : {}), timeout: request.connection.timeoutMs, retryOptions: { attempts: 1 } },
  });
  const { system, contents } = toGemini(request);
  const declarations: FunctionDeclaration[] = request.tools.map((t) => ({ name: t.name, description: t.description, parametersJsonSchema: t.parameters }));
  let text = "";
  const toolCalls: LlmChatResponse["toolCalls"] = [];
  const usage = { inputTokens: 0, outputTokens: 0, cachedTokens: 0 };
  let finishReason = "stop";
  let model = request.model;
  try {
    const stream = await ai.models.generateContentStream({
      model: request.model,
      contents,
      config: {
        ...(system ? { systemInstruction: system } : {}),
        ...(declarations.length ? { tools: [{ functionDeclarations: declarations }] } : {}),
        maxOutputTokens: request.maxTokens,
        ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      },
    });
    for await (const chunk of stream) {
      model = chunk.modelVersion ?? model;
      for (const part of chunk.candidates?.[0]?.content?.parts ?? []) {
        if (part.text && !part.thought) {
          text += part.text;
          live?.delta(part.text);
        }
        if (part.functionCall?.name) {
          toolCalls.push({ id: part.functionCall.id ?? `call_${toolCalls.length + 1}`, name: part.functionCall.name, arguments: part.functionCall.args ?? {} });
        }
      }
      const reason = chunk.candidates?.[0]?.finishReason;
      if (reason) finishReason = String(reason).toLowerCase();
      if (chunk.usageMetadata) {
        usage.inputTokens = chunk.usageMetadata.promptTokenCount ?? usage.inputTokens;
        usage.outputTokens = chunk.usageMetadata.candidatesTokenCount ?? usage.outputTokens;
        usage.cachedTokens = chunk.usageMetadata.cachedContentTokenCount ?? usage.cachedTokens;
      }
    }
  } catch (error) {
    if (error instanceof ApiError) throw llmVendorError("gemini", error.status, error.message);
    throw error;
  }
  if (toolCalls.length > 0) finishReason = "tool_calls";
  return { text, toolCalls, usage, model, finishReason, streamed: true };
}
