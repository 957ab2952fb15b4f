import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, describe, test } from "node:test";
import { Grounded, type SpanView, type TraceView } from "@grounded/client";
import { Tracing, wrapOpenAI } from "@grounded/tracing";
import OpenAI from "openai";
import { env, waitFor } from "./env.js";

const grounded = new Grounded({ apiKey: env.apiKey, baseUrl: env.baseUrl });
const tracing = new Tracing({ client: grounded, agentId: env.agentId });
const openai = wrapOpenAI(new OpenAI({ apiKey: "sk-test", baseURL: `${env.openaiUrl}/v1`, maxRetries: 0 }));

const say = (content: string) => ({ model: "gpt-4o-mini", messages: [{ role: "user" as const, content }] });

async function stored(traceId: string): Promise<TraceView> {
  await tracing.flush();
  return waitFor(async () => {
    const trace = await grounded.traces.get(traceId);
    return trace.normalization?.state === "normalized" && trace;
  }, `trace ${traceId}`);
}

describe("wrapOpenAI with the real openai package, against a fake OpenAI", () => {
  after(() => tracing.shutdown());

  test("inside trace.run: chat and responses, streamed or not, become llm spans with usage", async () => {
    const trace = tracing.startTrace({ sessionId: `conv-${randomUUID()}`, input: "weather?" });
    await trace.run(async () => {
      const chat = await openai.chat.completions.create(say("Say hello"));
      assert.equal(chat.choices[0]?.message.content, "Hello!");
      const stream = await openai.chat.completions.create({
        ...say("What is the weather in Paris?"),
        stream: true,
      });
      const deltas = [];
      for await (const chunk of stream) deltas.push(chunk);
      assert.ok(deltas.length >= 3);
      const response = await openai.responses.create({ model: "gpt-4.1-mini", input: "Hi" });
      assert.equal(response.output_text, "Hi there");
      const events = await openai.responses.create({ model: "gpt-4.1-mini", input: "Hi", stream: true });
      for await (const event of events) assert.ok(event.type);
      const raw = await openai.chat.completions.create(say("Say hello")).withResponse();
      assert.equal(raw.response.status, 200, "the APIPromise keeps its own methods");
      await assert.rejects(openai.chat.completions.create(say("fail")), OpenAI.BadRequestError);
    });
    trace.end({ output: "done" });

    const read = (await stored(trace.id)).spans;
    assert.ok(Array.isArray(read), "small spans come inline, not as a payload marker");
    const spans: SpanView[] = read;
    assert.deepEqual(
      spans.map((span) => [span.kind, span.name, span.model, span.attributes?.stream, span.status]),
      [
        ["llm", "chat.completions.create", "gpt-4o-mini", false, "ok"],
        ["llm", "chat.completions.create", "gpt-4o-mini", true, "ok"],
        ["llm", "responses.create", "gpt-4.1-mini", false, "ok"],
        ["llm", "responses.create", "gpt-4.1-mini", true, "ok"],
        ["llm", "chat.completions.create", "gpt-4o-mini", false, "ok"],
        ["llm", "chat.completions.create", "gpt-4o-mini", false, "error"],
      ],
    );
    const chatUsage = {
      inputTokens: 8,
      outputTokens: 5,
      cacheReadTokens: 4,
      cacheWriteTokens: 0,
      reasoningTokens: 2,
    };
    const responsesUsage = {
      inputTokens: 7,
      outputTokens: 4,
      cacheReadTokens: 3,
      cacheWriteTokens: 0,
      reasoningTokens: 1,
    };
    assert.deepEqual(spans[0]?.usage, chatUsage);
    assert.deepEqual(spans[1]?.usage, chatUsage, "a streamed chat asks for its usage");
    assert.deepEqual(spans[2]?.usage, responsesUsage);
    assert.deepEqual(spans[3]?.usage, responsesUsage);
    assert.equal(spans[0]?.output, "Hello!");
    assert.deepEqual(spans[1]?.output, {
      content: null,
      toolCalls: [{ id: "call_1", name: "get_weather", arguments: '{"city": "Paris"}' }],
    });
    assert.equal(spans[3]?.output, "Hi there");
    assert.match(String(spans[5]?.error), /refused/);
  });

  test("outside trace.run the call goes through untouched and nothing is recorded", async () => {
    const before = tracing.pending;
    const chat = await openai.chat.completions.create(say("Say hello"));
    assert.equal(chat.choices[0]?.message.content, "Hello!");
    const stream = await openai.chat.completions.create({ ...say("Say hello"), stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.equal(
      chunks.some((chunk) => chunk.usage),
      false,
      "no stream_options were added outside a trace",
    );
    assert.equal(tracing.pending, before);
  });
});
