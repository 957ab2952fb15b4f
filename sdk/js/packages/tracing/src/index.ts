export { currentSpan, currentTrace } from "./context.js";
export { TracingError } from "./errors.js";
export { chatUsage, responsesUsage, wrapOpenAI } from "./openai.js";
export { type ScoreOptions, Span, type SpanFields, type SpanKind, Trace, type Usage } from "./trace.js";
export {
  type BrowserContext,
  type Rejection,
  type StartTrace,
  Tracing,
  type TracingOptions,
} from "./tracing.js";
