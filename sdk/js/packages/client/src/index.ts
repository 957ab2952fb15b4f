export { Grounded, type GroundedOptions } from "./client.js";
export * from "./errors.js";
export type { components, paths } from "./openapi.js";
export { PageRequest } from "./pages.js";
export type { CallInit, WaitOptions } from "./resources.js";
export {
  apiRoot,
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
  parseRetryAfter,
  type RequestOptions,
  retryDelayMs,
} from "./transport.js";
export type * from "./types.js";
