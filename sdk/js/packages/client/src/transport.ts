/**
 * The transport: one request with a timeout, and retries with exponential backoff and jitter on
 * 408, 429 (honouring `Retry-After`), 5xx and network errors. Every request may be retried: reads,
 * `PUT`, `PATCH` and `DELETE` are idempotent, and each `POST` carries an `Idempotency-Key` (the
 * same on every retry of one call), so the server answers a repeat with the first answer.
 */

import { APIConnectionError, APITimeoutError, errorFor } from "./errors.js";

export const RETRY_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RETRIES = 3;
export const USER_AGENT = "grounded-js/0.1.0";
const MAX_RETRY_AFTER_MS = 60_000;

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  /** Milliseconds before this request is abandoned (overrides the client's `timeoutMs`). */
  timeoutMs?: number;
  /** Retries for this request (overrides the client's `maxRetries`). */
  maxRetries?: number;
  /** Cancels the request (and its retries). */
  signal?: AbortSignal;
  /** Extra headers for this request. */
  headers?: Record<string, string>;
}

export interface TransportOptions {
  root: string;
  apiKey: string | undefined;
  orgId: string | undefined;
  timeoutMs: number;
  maxRetries: number;
  fetch: typeof fetch;
  backoffMs?: number;
  maxBackoffMs?: number;
}

export interface Answer {
  status: number;
  body: unknown;
  requestId: string | undefined;
}

/** The API's root, ending in `/api`, whether or not `baseUrl` has it. */
export function apiRoot(baseUrl: string): string {
  const url = baseUrl.replace(/\/+$/, "");
  return url.endsWith("/api") ? url : `${url}/api`;
}

/** Seconds from a `Retry-After` header (delta-seconds or an HTTP date), if it holds one. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - now) / 1000);
}

/** Milliseconds to wait before retry `attempt` (0-based): the server's `Retry-After` when it
 * gave one (at most a minute), else exponential backoff with jitter. */
export function retryDelayMs(
  attempt: number,
  retryAfter: number | undefined,
  backoffMs = 500,
  maxMs = 20_000,
) {
  if (retryAfter !== undefined) return Math.min(retryAfter * 1000, MAX_RETRY_AFTER_MS);
  const base = Math.min(maxMs, backoffMs * 2 ** attempt);
  return base * (0.5 + Math.random() / 2);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function queryString(params: Query | undefined): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== null) search.append(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export class Transport {
  constructor(private readonly options: TransportOptions) {}

  get root(): string {
    return this.options.root;
  }

  private headers(
    method: string,
    hasBody: boolean,
    idempotencyKey: string | undefined,
    extra?: Record<string, string>,
  ) {
    const headers: Record<string, string> = { accept: "application/json" };
    if (typeof window === "undefined") headers["user-agent"] = USER_AGENT; // browsers forbid setting it
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    if (this.options.orgId) headers["x-grounded-org"] = this.options.orgId;
    // a DELETE may carry a body too (deleting an org or an account is confirmed in it)
    if (hasBody || (method !== "GET" && method !== "DELETE")) headers["content-type"] = "application/json";
    if (idempotencyKey) headers["idempotency-key"] = idempotencyKey;
    return { ...headers, ...extra };
  }

  /** One call: the request, retried as the module says; resolves with the answer's status and
   * body, rejects with a typed error. */
  async request(method: string, path: string, body?: unknown, query?: Query, options: RequestOptions = {}) {
    const verb = method.toUpperCase();
    const url = `${this.options.root}/${path.replace(/^\/+/, "")}${queryString(query)}`;
    const idempotencyKey = verb === "POST" ? crypto.randomUUID() : undefined;
    const headers = this.headers(verb, body !== undefined, idempotencyKey, options.headers);
    const maxRetries = options.maxRetries ?? this.options.maxRetries;
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= maxRetries;
      let response: Response;
      try {
        response = await this.once(url, verb, headers, payload, timeoutMs, options.signal);
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason;
        const timedOut = error instanceof DOMException && error.name === "TimeoutError";
        if (last) {
          const Kind = timedOut ? APITimeoutError : APIConnectionError;
          const reason = timedOut ? `no answer within ${timeoutMs} ms` : String(error);
          throw new Kind(`${verb} ${url}: ${reason}`, { cause: error });
        }
        await sleep(this.delay(attempt, undefined), options.signal);
        continue;
      }
      const requestId = response.headers.get("apigw-requestid") ?? response.headers.get("x-amzn-requestid");
      const answer = await readBody(response);
      if (response.status < 400)
        return { status: response.status, body: answer, requestId: requestId ?? undefined };
      const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
      const failure = errorFor(response.status, answer, retryAfter, requestId ?? undefined);
      if (last || !RETRY_STATUSES.has(response.status)) throw failure;
      await sleep(this.delay(attempt, retryAfter), options.signal);
    }
  }

  private delay(attempt: number, retryAfter: number | undefined): number {
    return retryDelayMs(attempt, retryAfter, this.options.backoffMs, this.options.maxBackoffMs);
  }

  private once(
    url: string,
    method: string,
    headers: Record<string, string>,
    body: string | undefined,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<Response> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
    return this.options.fetch(url, { method, headers, body, signal: both });
  }
}
