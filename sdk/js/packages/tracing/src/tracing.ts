/**
 * `Tracing` starts traces and sends the finished ones in batches through `/api/traces/batch`.
 *
 *     const tracing = new Tracing({ client: grounded, agentId });
 *     const trace = tracing.startTrace({ sessionId, input: question });
 *     const answer = await trace.run(() => agent(question));
 *     trace.end({ output: answer });
 *     await tracing.flush(); // before a serverless handler returns
 *
 * A trace is queued when it ends; a timer (which never keeps the process alive) sends the queue
 * every `flushIntervalMs`, and at once when `batchSize` traces wait. A trace the API refuses
 * (207) goes to `onRejected`; one refused for a rate limit is sent again after the wait it names,
 * as is a batch whose request failed after the client's own retries, up to `maxAttempts`. The
 * queue is bounded: past `maxQueue` a trace is dropped with a warning rather than growing the
 * heap. What is queued is sent when the process is about to exit on its own (`beforeExit`).
 * A trace's scores (`trace.score()`) are sent once the trace was accepted, one request each.
 */

import type { Grounded, ItemResult, ScoreCreate, TraceIn } from "@grounded/client";
import { TracingError } from "./errors.js";
import { Trace, type TraceFields, type TraceSink } from "./trace.js";

export interface Rejection {
  trace: TraceIn;
  code: string;
  error: string;
  details: ItemResult["details"];
}

export interface TracingOptions {
  client: Grounded;
  /** The agent every trace belongs to unless `startTrace` names another (default `GROUNDED_AGENT_ID`). */
  agentId?: string;
  /** Traces per request, at most 500 (default 50). */
  batchSize?: number;
  /** How often queued traces are sent (default 1000 ms). */
  flushIntervalMs?: number;
  /** Traces kept waiting at most (default 10,000). */
  maxQueue?: number;
  /** Sends of one trace before it is given up (default 3). */
  maxAttempts?: number;
  /** A trace the API refused, with why. Default: a warning on the console. */
  onRejected?: (rejection: Rejection) => void;
  /** A batch that could not be sent after every attempt. Default: a warning on the console. */
  onError?: (error: unknown, traces: TraceIn[]) => void;
  /** Send what is queued when the process is about to exit (default true). */
  flushOnExit?: boolean;
}

export interface StartTrace {
  name?: string;
  agentId?: string;
  sessionId?: string;
  anonymousId?: string;
  userId?: string;
  correlationKeys?: Record<string, string>;
  snapshotId?: string;
  input?: unknown;
  metadata?: Record<string, unknown>;
  tags?: string[];
  traceId?: string;
}

/** What `@grounded/analytics`' `getContext()` gives a backend. */
export interface BrowserContext {
  sessionId?: string | null;
  anonymousId?: string | null;
  userId?: string | null;
}

interface Queued {
  body: TraceIn;
  /** sent once the trace is accepted */
  scores: ScoreCreate[];
  attempts: number;
  notBefore: number;
}

function environment(name: string): string | undefined {
  return process.env[name] || undefined;
}

export class Tracing implements TraceSink {
  readonly client: Grounded;
  readonly agentId: string | undefined;
  /** Traces dropped because the queue was full. */
  dropped = 0;
  private readonly batchSize: number;
  private readonly maxQueue: number;
  private readonly maxAttempts: number;
  private readonly onRejected: (rejection: Rejection) => void;
  private readonly onError: (error: unknown, traces: TraceIn[]) => void;
  private queue: Queued[] = [];
  private sending: Promise<void> | undefined;
  /** scores being sent (flush waits for them) */
  private readonly scoring = new Set<Promise<void>>();
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly onExit = () => {
    if (this.queue.length > 0) void this.flush();
  };

  constructor(options: TracingOptions) {
    this.client = options.client;
    this.agentId = options.agentId ?? environment("GROUNDED_AGENT_ID");
    this.batchSize = Math.max(1, Math.min(options.batchSize ?? 50, 500));
    this.maxQueue = options.maxQueue ?? 10_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.onRejected =
      options.onRejected ??
      ((r) => console.warn(`grounded: trace ${r.trace.id} rejected: ${r.error} (${r.code})`));
    this.onError =
      options.onError ??
      ((error, traces) => console.warn(`grounded: ${traces.length} traces could not be sent: ${error}`));
    this.timer = setInterval(() => void this.send(false), options.flushIntervalMs ?? 1000);
    this.timer.unref();
    if (options.flushOnExit ?? true) process.on("beforeExit", this.onExit);
  }

  /** A new trace. Throws `TracingError` before anything is sent when no agent is given (nor
   * `Tracing({ agentId })`, nor `GROUNDED_AGENT_ID`) or no stitch key is: `sessionId`,
   * `anonymousId`, or `userId` with `correlationKeys`. */
  startTrace(start: StartTrace = {}): Trace {
    const agentId = start.agentId ?? this.agentId;
    if (!agentId) {
      throw new TracingError(
        "startTrace needs an agentId (or new Tracing({ agentId }) or GROUNDED_AGENT_ID).",
      );
    }
    const correlated = start.userId && Object.keys(start.correlationKeys ?? {}).length > 0;
    if (!(start.sessionId || start.anonymousId || correlated)) {
      throw new TracingError(
        "startTrace needs a sessionId, an anonymousId, or a userId with correlationKeys.",
      );
    }
    const fields: TraceFields = {
      agentId,
      name: start.name ?? "trace",
      ...(start.traceId && { id: start.traceId }),
      ...(start.sessionId && { sessionId: start.sessionId }),
      ...(start.anonymousId && { anonymousId: start.anonymousId }),
      ...(start.userId && { userId: start.userId }),
      ...(start.correlationKeys && { correlationKeys: start.correlationKeys }),
      ...(start.snapshotId && { resource: { snapshotId: start.snapshotId } }),
      ...(start.input !== undefined && { input: start.input }),
      ...(start.metadata && { metadata: start.metadata }),
      ...(start.tags && { tags: start.tags }),
    };
    return new Trace(this, fields);
  }

  /** A trace on the browser's session: `context` is `analytics.getContext()` from the page. */
  startTraceFromBrowser(context: BrowserContext, start: Omit<StartTrace, "sessionId" | "anonymousId"> = {}) {
    return this.startTrace({
      ...start,
      ...(context.sessionId && { sessionId: context.sessionId }),
      ...(context.anonymousId && { anonymousId: context.anonymousId }),
      ...(context.userId && !start.userId && { userId: context.userId }),
    });
  }

  /** Traces ended but not yet sent. */
  get pending(): number {
    return this.queue.length;
  }

  enqueue(trace: Trace, scores: ScoreCreate[] = []): void {
    if (this.queue.length >= this.maxQueue) {
      this.dropped += 1;
      console.warn(`grounded: the trace queue is full; trace ${trace.id} dropped (${this.dropped} so far)`);
      return;
    }
    this.queue.push({ body: trace.body(), scores, attempts: 0, notBefore: 0 });
    if (this.queue.length >= this.batchSize) void this.send(false);
  }

  score(traceId: string, score: ScoreCreate): void {
    const waiting = this.queue.find((queued) => queued.body.id === traceId);
    if (waiting) waiting.scores.push(score);
    else this.sendScores([score]);
  }

  private sendScores(scores: ScoreCreate[]): void {
    for (const score of scores) {
      const sent = this.client.scores
        .create(score)
        .then(() => undefined)
        .catch((error: unknown) => console.warn(`grounded: score ${score.id} could not be sent: ${error}`));
      this.scoring.add(sent);
      void sent.finally(() => this.scoring.delete(sent));
    }
  }

  /** Sends everything queued now (waiting out a rate limit's `Retry-After` if one is pending);
   * resolves when the queue is empty or every trace left has used its attempts. */
  async flush(): Promise<void> {
    while (this.queue.length > 0) {
      await this.send(true);
      const wait = Math.min(...this.queue.map((queued) => queued.notBefore)) - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    await Promise.all([...this.scoring]);
  }

  /** Flushes, then stops the timer and the exit hook. */
  async shutdown(): Promise<void> {
    await this.flush();
    clearInterval(this.timer);
    process.off("beforeExit", this.onExit);
  }

  /** One pass over the queue (one send at a time). */
  private send(all: boolean): Promise<void> {
    this.sending ??= this.drain(all).finally(() => {
      this.sending = undefined;
    });
    return this.sending;
  }

  private async drain(all: boolean): Promise<void> {
    do {
      const now = Date.now();
      const ready = this.queue.filter((queued) => queued.notBefore <= now);
      if (ready.length === 0) return;
      const batch = ready.slice(0, this.batchSize);
      const taken = new Set(batch);
      this.queue = this.queue.filter((queued) => !taken.has(queued));
      await this.deliver(batch);
    } while (all || this.queue.length >= this.batchSize);
  }

  private async deliver(batch: Queued[]): Promise<void> {
    let answer: { results: ItemResult[] };
    try {
      answer = await this.client.traces.sendBatch(batch.map((queued) => queued.body));
    } catch (error) {
      const again = this.retry(batch, 0);
      const lost = batch.filter((queued) => !again.includes(queued));
      if (lost.length > 0)
        this.onError(
          error,
          lost.map((queued) => queued.body),
        );
      return;
    }
    for (const result of answer.results) {
      const queued = batch[result.index];
      if (queued === undefined) continue;
      if (result.status === "accepted") {
        this.sendScores(queued.scores);
        continue;
      }
      if (
        result.httpStatus === 429 &&
        this.retry([queued], (result.retryAfterSeconds ?? 1) * 1000).length > 0
      ) {
        continue;
      }
      this.onRejected({
        trace: queued.body,
        code: result.code ?? "rejected",
        error: result.error ?? "The trace was refused.",
        details: result.details,
      });
    }
  }

  /** Puts back what has attempts left, not before `waitMs`; returns what was put back. */
  private retry(batch: Queued[], waitMs: number): Queued[] {
    const again = batch.filter((queued) => ++queued.attempts < this.maxAttempts);
    for (const queued of again) queued.notBefore = Date.now() + waitMs;
    this.queue.unshift(...again);
    return again;
  }
}
