/**
 * `wrapOpenAI(new OpenAI())`: `chat.completions.create` and `responses.create` calls made inside
 * `trace.run()` become `llm` spans of the current trace — model, input, output, token usage
 * (cached and reasoning tokens too), latency and errors, streams included. A streamed chat call
 * asks for usage (`stream_options.include_usage`) so it is not recorded as free; the message and
 * tool calls are rebuilt as the stream is read. Outside a trace the call goes through untouched.
 * What `create` returns keeps its own methods (`withResponse()`, a stream's `tee()`, …). The
 * `openai` package itself is not imported here.
 */

import { currentTrace } from "./context.js";
import type { Span, Usage } from "./trace.js";

type Json = Record<string, unknown>;
type Api = "chat" | "responses";

const WRAPPED = Symbol.for("grounded.wrapOpenAI");

function field(value: unknown, name: string): unknown {
  return value !== null && typeof value === "object" ? (value as Json)[name] : undefined;
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** OpenAI usage, normalized as Grounded prices it: input excludes cached tokens (priced once, as
 * cache reads); reasoning tokens are inside output. `given`/`produced` name the API's fields. */
function normalize(usage: unknown, given: string, produced: string): Usage | undefined {
  if (usage === null || typeof usage !== "object") return undefined;
  const tokensIn = count(field(usage, `${given}_tokens`));
  const cached = count(field(field(usage, `${given}_tokens_details`), "cached_tokens"));
  return {
    inputTokens: Math.max(0, tokensIn - cached),
    outputTokens: count(field(usage, `${produced}_tokens`)),
    cacheReadTokens: cached,
    reasoningTokens: count(field(field(usage, `${produced}_tokens_details`), "reasoning_tokens")),
  };
}

export const chatUsage = (usage: unknown) => normalize(usage, "prompt", "completion");
export const responsesUsage = (usage: unknown) => normalize(usage, "input", "output");

interface ToolCall {
  id: unknown;
  name: string;
  arguments: string;
}

function messageOutput(message: unknown): unknown {
  const content = field(message, "content") ?? null;
  const calls = field(message, "tool_calls");
  if (!Array.isArray(calls) || calls.length === 0) return content;
  const toolCalls = calls.map((call) => ({
    id: field(call, "id"),
    name: field(field(call, "function"), "name"),
    arguments: field(field(call, "function"), "arguments"),
  }));
  return { content, toolCalls };
}

function responsesOutput(response: unknown): unknown {
  const text = field(response, "output_text");
  if (typeof text === "string" && text) return text;
  const parts: string[] = [];
  for (const item of (field(response, "output") as unknown[] | undefined) ?? []) {
    for (const piece of (field(item, "content") as unknown[] | undefined) ?? []) {
      const said = field(piece, "text");
      if (typeof said === "string") parts.push(said);
    }
  }
  return parts.join("") || null;
}

/** Builds a span's outcome from what a stream yields. */
interface Accumulator {
  add(item: unknown): void;
  finish(span: Span): void;
}

class ChatAccumulator implements Accumulator {
  private content: string[] = [];
  private calls = new Map<number, ToolCall>();
  private usage: unknown;
  private model: string | undefined;

  add(chunk: unknown): void {
    this.model = (field(chunk, "model") as string | undefined) ?? this.model;
    if (field(chunk, "usage")) this.usage = field(chunk, "usage");
    for (const choice of (field(chunk, "choices") as unknown[] | undefined) ?? []) {
      const delta = field(choice, "delta");
      const text = field(delta, "content");
      if (typeof text === "string") this.content.push(text);
      for (const call of (field(delta, "tool_calls") as unknown[] | undefined) ?? []) {
        const index = count(field(call, "index"));
        const entry = this.calls.get(index) ?? { id: null, name: "", arguments: "" };
        entry.id = field(call, "id") ?? entry.id;
        entry.name += (field(field(call, "function"), "name") as string | undefined) ?? "";
        entry.arguments += (field(field(call, "function"), "arguments") as string | undefined) ?? "";
        this.calls.set(index, entry);
      }
    }
  }

  finish(span: Span): void {
    const content = this.content.join("") || null;
    const toolCalls = [...this.calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
    span.output = toolCalls.length > 0 ? { content, toolCalls } : content;
    span.usage = chatUsage(this.usage);
    span.model = this.model ?? span.model;
  }
}

class ResponsesAccumulator implements Accumulator {
  private text: string[] = [];
  private response: unknown;

  add(event: unknown): void {
    const kind = field(event, "type");
    if (kind === "response.output_text.delta") this.text.push(String(field(event, "delta") ?? ""));
    else if (kind === "response.completed" || kind === "response.incomplete" || kind === "response.failed") {
      this.response = field(event, "response");
    }
  }

  finish(span: Span): void {
    span.output = this.text.join("") || responsesOutput(this.response);
    span.usage = responsesUsage(field(this.response, "usage"));
    span.model = (field(this.response, "model") as string | undefined) ?? span.model;
  }
}

function latency(span: Span, started: number): void {
  span.attributes.latencyMs = Math.round((performance.now() - started) * 10) / 10;
}

/** The stream as OpenAI returned it (its `tee()`, `controller`, … intact), with its iteration
 * feeding the span, which ends when the stream is exhausted, abandoned or fails. */
function watchStream<S extends object>(stream: S, span: Span, accumulator: Accumulator, started: number): S {
  const finish = (error?: unknown) => {
    if (span.endedAt !== undefined) return;
    accumulator.finish(span);
    latency(span, started);
    span.end(error);
  };
  return new Proxy(stream, {
    get(target, key) {
      if (key !== Symbol.asyncIterator) return own(target, key);
      return async function* iterate() {
        try {
          for await (const item of target as AsyncIterable<unknown>) {
            accumulator.add(item);
            yield item;
          }
          finish();
        } catch (error) {
          finish(error);
          throw error;
        } finally {
          finish(); // the caller stopped early (break): what was read is what the span holds
        }
      };
    },
  });
}

function record(api: Api, span: Span, result: unknown, started: number, streaming: boolean): unknown {
  if (streaming && result !== null && typeof result === "object") {
    const accumulator = api === "chat" ? new ChatAccumulator() : new ResponsesAccumulator();
    return watchStream(result, span, accumulator, started);
  }
  if (api === "chat") {
    const choices = field(result, "choices") as unknown[] | undefined;
    span.output = choices?.[0] === undefined ? null : messageOutput(field(choices[0], "message"));
    span.usage = chatUsage(field(result, "usage"));
  } else {
    span.output = responsesOutput(result);
    span.usage = responsesUsage(field(result, "usage"));
  }
  span.model = (field(result, "model") as string | undefined) ?? span.model;
  latency(span, started);
  span.end();
  return result;
}

/** The promise `create` returned, with `then`/`catch`/`finally` going through `recorded`; every
 * other property (`withResponse()`, `asResponse()`) is the original's. */
function settleThrough<P extends object>(original: P, recorded: Promise<unknown>): P {
  return new Proxy(original, {
    get(target, key) {
      if (key === "then") return recorded.then.bind(recorded);
      if (key === "catch") return recorded.catch.bind(recorded);
      if (key === "finally") return recorded.finally.bind(recorded);
      return own(target, key);
    },
  });
}

/** A property of `target`, its methods bound to it (OpenAI's classes keep private state that a
 * proxy as `this` cannot reach). */
function own(target: object, key: string | symbol): unknown {
  const value: unknown = Reflect.get(target, key, target);
  return typeof value === "function" ? value.bind(target) : value;
}

type Create = (body: Json, ...rest: unknown[]) => unknown;

function instrument(resource: { create: Create } | undefined, name: string, api: Api): void {
  if (!resource || typeof resource.create !== "function") return;
  const original = resource.create as Create & { [WRAPPED]?: true };
  if (original[WRAPPED]) return;
  const create = function (this: unknown, body: Json, ...rest: unknown[]): unknown {
    const trace = currentTrace();
    if (trace === undefined || body === null || typeof body !== "object") {
      return original.call(this, body, ...rest);
    }
    const streaming = body.stream === true;
    const sent =
      streaming && api === "chat"
        ? { ...body, stream_options: { ...(body.stream_options as Json | undefined), include_usage: true } }
        : body;
    const span = trace.startSpan("llm", name, {
      model: typeof body.model === "string" ? body.model : undefined,
      input: api === "chat" ? body.messages : body.input,
      attributes: { stream: streaming, provider: "openai" },
    });
    const started = performance.now();
    let pending: unknown;
    try {
      pending = original.call(this, sent, ...rest);
    } catch (error) {
      span.end(error);
      throw error;
    }
    if (!(pending instanceof Promise) && typeof (pending as { then?: unknown })?.then !== "function") {
      return record(api, span, pending, started, streaming);
    }
    const recorded = Promise.resolve(pending).then(
      (result) => record(api, span, result, started, streaming),
      (error: unknown) => {
        span.end(error);
        throw error;
      },
    );
    recorded.catch(() => {}); // the caller's own chain gets the error; this one must not go unhandled
    return settleThrough(pending as object, recorded);
  };
  Object.defineProperty(create, WRAPPED, { value: true });
  resource.create = create;
}

interface OpenAILike {
  chat?: { completions?: { create: Create } };
  responses?: { create: Create };
}

/** Records `client`'s chat completions and responses as `llm` spans; returns the same client. */
export function wrapOpenAI<C extends object>(client: C): C {
  const openai = client as OpenAILike;
  instrument(openai.chat?.completions, "chat.completions.create", "chat");
  instrument(openai.responses, "responses.create", "responses");
  return client;
}
