/**
 * `createAnalytics({ publishableKey, agentId, baseUrl })`: page views (single-page navigations
 * too), clicks on buttons and links, `track`, `identify`, uncaught errors and unhandled
 * rejections, batched to `POST /api/telemetry`; what is left goes by `sendBeacon` when the page is
 * hidden. `getContext()` hands `{ sessionId, anonymousId, userId }` to a backend, whose traces
 * (`tracing.startTraceFromBrowser(context)`) then join the same session timeline.
 * `feedback(traceId, value)` records the visitor's verdict on an answer (thumbs up/down, a rating).
 */

import { browserStore, Identity, newId, type Store } from "./ids.js";
import { apiRoot, type Event, Sender } from "./sender.js";

export interface AnalyticsOptions {
  /** A publishable key (`pk_live_…`): it can only send telemetry for its own agent. */
  publishableKey: string;
  agentId: string;
  /** Where Grounded runs, with or without `/api` (default: this page's origin). */
  baseUrl?: string;
  /** Record page views, the first at start and on every navigation (default true). */
  pageViews?: boolean;
  /** Record clicks on buttons and links: their text, id and target, never input values (default true). */
  clicks?: boolean;
  /** Record uncaught errors and unhandled promise rejections (default true). */
  errors?: boolean;
  /** A session ends after this long without activity (default 30 minutes). */
  sessionTimeoutMs?: number;
  /** How often queued events are sent (default 5 s). */
  flushIntervalMs?: number;
  /** Send as soon as this many events wait (default 20; at most 500). */
  batchSize?: number;
  /** Events kept while the API cannot be reached (default 1,000; the oldest go first). */
  maxQueue?: number;
  /** Where ids are kept (default: `localStorage`). */
  store?: Store;
}

export interface Context {
  sessionId: string;
  anonymousId: string;
  userId?: string;
}

export interface FeedbackOptions {
  /** The score's name (default "feedback"). */
  name?: string;
  comment?: string;
  /** One span of the trace. */
  spanId?: string;
}

export interface Analytics {
  /** Records a page view (done for you unless `pageViews: false`). */
  page(properties?: Record<string, unknown>): void;
  track(name: string, properties?: Record<string, unknown>): void;
  identify(userId: string, traits?: Record<string, unknown>): void;
  /** The ids a backend needs to stitch its traces to this visit; `null` after `optOut()`. */
  getContext(): Context | null;
  /** Stops all sending and forgets the ids (remembered in this browser until `optIn()`). */
  optOut(): void;
  optIn(): void;
  /** The visitor's feedback on a trace of this agent (`true`/`false` for thumbs up/down, a number
   * or a category). One per visitor, trace and name: giving it again replaces it. Resolves `true`
   * when it was recorded (`false` after `optOut()`, or when the API could not be reached). */
  feedback(traceId: string, value: boolean | number | string, options?: FeedbackOptions): Promise<boolean>;
  /** Sends what is queued now. */
  flush(): Promise<void>;
  /** Removes every listener and timer, sending what is left by beacon. */
  shutdown(): void;
}

const CLICKABLE = "button, a, [role=button], input[type=submit], input[type=button], [data-grounded-track]";

function describeError(error: unknown): { message: string; stack?: string } {
  if (error instanceof Error)
    return { message: `${error.name}: ${error.message}`, stack: error.stack?.slice(0, 4000) };
  return { message: typeof error === "string" ? error : (JSON.stringify(error) ?? String(error)) };
}

function label(element: Element): string {
  const text = (element.getAttribute("aria-label") || element.textContent || "").replace(/\s+/g, " ").trim();
  return (
    text ||
    element.getAttribute("data-grounded-track") ||
    element.id ||
    element.tagName.toLowerCase()
  ).slice(0, 200);
}

/** A short, stable hash (53 bits, hex) — the visitor's feedback id on one trace. */
export function shortHash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16);
}

export function createAnalytics(options: AnalyticsOptions): Analytics {
  if (!options.publishableKey) throw new Error("createAnalytics needs a publishableKey (pk_live_…).");
  if (!options.agentId) throw new Error("createAnalytics needs an agentId.");
  if (!options.publishableKey.startsWith("pk_")) {
    throw new Error("createAnalytics takes a publishable key (pk_…); never put a secret key in a web page.");
  }
  const identity = new Identity(options.store ?? browserStore(), options.sessionTimeoutMs ?? 30 * 60_000);
  const sender = new Sender(apiRoot(options.baseUrl), options.publishableKey);
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 20, 500));
  const maxQueue = options.maxQueue ?? 1_000;
  let queue: Event[] = [];
  let sending: Promise<void> | undefined;
  let lastPath: string | undefined;
  const undo: (() => void)[] = [];

  function record(type: Event["type"], name: string, properties?: Record<string, unknown>): void {
    if (identity.optedOut) return;
    const event: Event = {
      id: newId(),
      agentId: options.agentId,
      type,
      name: name.slice(0, 200) || type,
      timestamp: new Date().toISOString(),
      anonymousId: identity.anonymousId(),
      sessionId: identity.sessionId(),
      ...(typeof location === "undefined" ? {} : { url: location.href.slice(0, 4000) }),
      ...(identity.userId() ? { userId: identity.userId() } : {}),
      ...(properties && Object.keys(properties).length > 0 ? { properties } : {}),
    };
    queue.push(event);
    if (queue.length > maxQueue) queue = queue.slice(-maxQueue);
    if (queue.length >= batchSize) void flush();
  }

  function flush(): Promise<void> {
    sending ??= (async () => {
      while (queue.length > 0 && !identity.optedOut) {
        const batch = queue.slice(0, batchSize);
        if (!(await sender.post(batch))) return; // kept; the next flush tries again
        queue = queue.slice(batch.length);
      }
    })().finally(() => {
      sending = undefined;
    });
    return sending;
  }

  function beaconTheRest(): void {
    if (queue.length === 0 || identity.optedOut) return;
    if (sender.beacon(queue)) queue = [];
  }

  function page(properties?: Record<string, unknown>): void {
    lastPath = `${location.pathname}${location.search}`;
    const details = {
      path: location.pathname,
      title: document.title,
      referrer: document.referrer || undefined,
    };
    record("page", location.pathname, { ...details, ...properties });
  }

  function listen<K extends keyof WindowEventMap>(
    target: Window | Document,
    type: K | string,
    handler: (event: WindowEventMap[K]) => void,
    capture = false,
  ) {
    target.addEventListener(type, handler as EventListener, capture);
    undo.push(() => target.removeEventListener(type, handler as EventListener, capture));
  }

  function watchNavigations(): void {
    const navigated = () => {
      if (`${location.pathname}${location.search}` !== lastPath) page();
    };
    for (const method of ["pushState", "replaceState"] as const) {
      const original = history[method];
      history[method] = function (this: History, ...args: Parameters<History["pushState"]>) {
        const result = original.apply(this, args);
        navigated();
        return result;
      };
      undo.push(() => {
        history[method] = original;
      });
    }
    listen(window, "popstate", navigated);
  }

  const browser = typeof window !== "undefined" && typeof document !== "undefined";
  if (browser) {
    if (options.pageViews ?? true) {
      page();
      watchNavigations();
    }
    if (options.clicks ?? true) {
      listen(
        document,
        "click",
        (event: MouseEvent) => {
          const target = event.target instanceof Element ? event.target.closest(CLICKABLE) : null;
          if (!target) return;
          const href = target.getAttribute("href");
          record("click", label(target), {
            tag: target.tagName.toLowerCase(),
            ...(target.id ? { elementId: target.id } : {}),
            ...(href ? { href: href.slice(0, 2000) } : {}),
          });
        },
        true,
      );
    }
    if (options.errors ?? true) {
      listen(window, "error", (event: ErrorEvent) => {
        const { message, stack } = describeError(event.error ?? event.message);
        record("error", message, { source: event.filename, line: event.lineno, column: event.colno, stack });
      });
      listen(window, "unhandledrejection", (event: PromiseRejectionEvent) => {
        const { message, stack } = describeError(event.reason);
        record("error", message, { unhandledRejection: true, stack });
      });
    }
    listen(document, "visibilitychange", () => {
      if (document.visibilityState === "hidden") beaconTheRest();
    });
    listen(window, "pagehide", beaconTheRest);
    const timer = setInterval(() => void flush(), options.flushIntervalMs ?? 5_000);
    undo.push(() => clearInterval(timer));
  }

  return {
    page,
    track: (name, properties) => record("custom", name, properties),
    identify(userId, traits) {
      if (identity.optedOut) return;
      identity.setUserId(userId);
      record("identify", userId, traits);
    },
    getContext() {
      if (identity.optedOut) return null;
      const userId = identity.userId();
      return {
        sessionId: identity.sessionId(false),
        anonymousId: identity.anonymousId(),
        ...(userId && { userId }),
      };
    },
    optOut() {
      identity.optOut();
      queue = [];
    },
    optIn: () => identity.optIn(),
    async feedback(traceId, value, feedbackOptions = {}) {
      if (identity.optedOut) return false;
      const name = feedbackOptions.name ?? "feedback";
      const who = identity.anonymousId();
      return sender.score({
        id: `fb_${shortHash(`${name}|${traceId}|${feedbackOptions.spanId ?? ""}|${who}`)}`,
        name,
        value,
        source: "user",
        traceId,
        ...(feedbackOptions.spanId && { spanId: feedbackOptions.spanId }),
        ...(feedbackOptions.comment && { comment: feedbackOptions.comment }),
      });
    },
    flush,
    shutdown() {
      beaconTheRest();
      for (const step of undo.splice(0)) step();
    },
  };
}
