/** What code running now belongs to: a trace, and the span it is inside (AsyncLocalStorage, so
 * it follows every `await`, timer and promise started inside `trace.run()`). */

import { AsyncLocalStorage } from "node:async_hooks";
import type { Span, Trace } from "./trace.js";

export interface Current {
  trace: Trace;
  span?: Span;
}

export const storage = new AsyncLocalStorage<Current>();

/** The trace of the code running now, if it runs inside `trace.run()`. */
export function currentTrace(): Trace | undefined {
  return storage.getStore()?.trace;
}

/** The innermost span of the code running now, if any. */
export function currentSpan(): Span | undefined {
  return storage.getStore()?.span;
}
