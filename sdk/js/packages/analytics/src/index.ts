export { type Analytics, type AnalyticsOptions, type Context, createAnalytics } from "./analytics.js";
export { Identity, type Store } from "./ids.js";
export { apiRoot, type Event } from "./sender.js";
