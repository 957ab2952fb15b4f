/** A trace and its spans, as the API's `TraceIn` and `SpanIn` take them. */

import { randomBytes, randomUUID } from "node:crypto";
import type { ScoreCreate, SpanIn, TraceIn } from "@grounded/client";
import { currentSpan, storage } from "./context.js";

export type SpanKind = "llm" | "tool" | "retrieval" | "chain" | "step" | "custom" | (string & {});

export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
}

export interface SpanFields {
  input?: unknown;
  model?: string;
  attributes?: Record<string, unknown>;
}

const MAX_ERROR = 10_000;

function now(): string {
  return new Date().toISOString();
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, MAX_ERROR);
}

function defined<T extends object>(body: T): T {
  return Object.fromEntries(
    Object.entries(body).filter(([, value]) => value !== undefined && value !== null),
  ) as T;
}

/** One step of a trace. Set `output`, `usage`, `model` or `attributes` while it runs. */
export class Span {
  readonly id = randomBytes(8).toString("hex");
  readonly startedAt = now();
  endedAt: string | undefined;
  output: unknown;
  usage: Usage | undefined;
  costUsd: number | undefined;
  model: string | undefined;
  input: unknown;
  status: "ok" | "error" = "ok";
  error: string | undefined;
  attributes: Record<string, unknown>;

  constructor(
    readonly trace: Trace,
    readonly kind: SpanKind,
    readonly name: string,
    readonly parentId: string | undefined,
    fields: SpanFields = {},
  ) {
    this.input = fields.input;
    this.model = fields.model;
    this.attributes = { ...fields.attributes };
  }

  /** Ends the span (once); an error marks it failed. */
  end(error?: unknown): void {
    if (this.endedAt !== undefined) return;
    if (error !== undefined) {
      this.status = "error";
      this.error = describe(error);
    }
    this.endedAt = now();
  }

  body(): SpanIn {
    return defined({
      id: this.id,
      parentId: this.parentId,
      kind: this.kind,
      name: this.name.slice(0, 200),
      startedAt: this.startedAt,
      endedAt: this.endedAt,
      model: this.model,
      input: this.input,
      output: this.output,
      usage: this.usage,
      costUsd: this.costUsd,
      status: this.status,
      error: this.error,
      attributes: this.attributes,
    }) as SpanIn;
  }
}

export type TraceFields = Omit<TraceIn, "startedAt" | "spans">;

/** What `Tracing` does with a trace once it ends, and with its scores. */
export interface TraceSink {
  enqueue(trace: Trace, scores: ScoreCreate[]): void;
  /** A score of a trace already ended: sent once the trace is. */
  score(traceId: string, score: ScoreCreate): void;
}

export interface ScoreOptions {
  comment?: string;
  /** One of this trace's spans. */
  spanId?: string;
  /** Default "sdk". */
  source?: "api" | "sdk" | "user" | "judge";
  /** Your own id (default: made here, so a retry never records it twice). */
  id?: string;
}

export class Trace {
  readonly id: string;
  readonly startedAt = now();
  endedAt: string | undefined;
  output: unknown;
  status: "ok" | "error" = "ok";
  error: string | undefined;
  readonly spans: Span[] = [];
  private scores: ScoreCreate[] = [];

  constructor(
    private readonly sink: TraceSink,
    readonly fields: TraceFields,
  ) {
    this.id = fields.id ?? randomUUID().replaceAll("-", "");
  }

  get ended(): boolean {
    return this.endedAt !== undefined;
  }

  /** Runs `fn` with this trace current for everything it awaits. If `fn` throws, the trace ends
   * with that error (and the error goes on); otherwise the trace stays open for `end()`. */
  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    try {
      return await storage.run({ trace: this }, fn);
    } catch (error) {
      this.end({ error });
      throw error;
    }
  }

  /** Records `fn` as a span of this trace, nested under the current span: timing, its error
   * (which goes on), and its return value as the output unless `span.output` was set. */
  async span<T>(
    kind: SpanKind,
    name: string,
    fn: (span: Span) => T | Promise<T>,
    fields?: SpanFields,
  ): Promise<T> {
    const span = this.startSpan(kind, name, fields);
    try {
      const value = await storage.run({ trace: this, span }, () => fn(span));
      if (span.output === undefined && value !== undefined) span.output = value;
      span.end();
      return value;
    } catch (error) {
      span.end(error);
      throw error;
    }
  }

  /** A span you end yourself (`span.end()`), for code that does not fit a callback. */
  startSpan(kind: SpanKind, name: string, fields?: SpanFields): Span {
    const parent = currentSpan();
    const span = new Span(this, kind, name, parent?.trace === this ? parent.id : undefined, fields);
    this.spans.push(span);
    return span;
  }

  /** Scores this trace (or one of its spans, `spanId`): sent after the trace, in the background.
   * Returns the score's id. */
  score(name: string, value: boolean | number | string, options: ScoreOptions = {}): string {
    const score = defined({
      id: options.id ?? `scr_${randomUUID().replaceAll("-", "")}`,
      name,
      value,
      comment: options.comment,
      source: options.source ?? "sdk",
      traceId: this.id,
      spanId: options.spanId,
    }) as ScoreCreate;
    if (this.ended) this.sink.score(this.id, score);
    else this.scores.push(score);
    return score.id as string;
  }

  /** Ends the trace (once) and queues it to be sent, then the scores given while it ran. */
  end(outcome: { output?: unknown; error?: unknown } = {}): void {
    if (this.ended) return;
    this.endedAt = now();
    if (outcome.output !== undefined) this.output = outcome.output;
    if (outcome.error !== undefined) {
      this.status = "error";
      this.error = describe(outcome.error);
    }
    for (const span of this.spans) span.end();
    const scores = this.scores;
    this.scores = [];
    this.sink.enqueue(this, scores);
  }

  body(): TraceIn {
    return defined({
      ...this.fields,
      id: this.id,
      startedAt: this.startedAt,
      endedAt: this.endedAt,
      output: this.output,
      status: this.status,
      error: this.error,
      spans: this.spans.map((span) => span.body()),
    }) as TraceIn;
  }
}
