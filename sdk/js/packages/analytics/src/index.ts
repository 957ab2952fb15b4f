export {
  type Analytics,
  type AnalyticsOptions,
  type Context,
  createAnalytics,
  type FeedbackOptions,
} from "./analytics.js";
export { Identity, type Store } from "./ids.js";
export { apiRoot, type Event } from "./sender.js";
