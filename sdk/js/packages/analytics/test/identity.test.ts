import assert from "node:assert/strict";
import { test } from "node:test";
import { apiRoot, createAnalytics, Identity, type Store } from "@grounded/analytics";

function memory(): Store & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    get: (k) => data.get(k) ?? null,
    set: (k, v) => void data.set(k, v),
    remove: (k) => void data.delete(k),
  };
}

test("the anonymous id lasts; the session rotates after 30 minutes without activity", () => {
  const store = memory();
  let now = 0;
  const identity = new Identity(store, 30 * 60_000, () => now);
  const visitor = identity.anonymousId();
  const first = identity.sessionId();
  now += 29 * 60_000;
  assert.equal(identity.sessionId(), first, "activity within 30 minutes keeps the session");
  now += 29 * 60_000;
  assert.equal(identity.sessionId(), first, "each activity pushes the end back");
  now += 31 * 60_000;
  const second = identity.sessionId();
  assert.notEqual(second, first, "31 idle minutes start a new session");
  assert.equal(identity.anonymousId(), visitor);
  assert.equal(
    new Identity(store, 30 * 60_000, () => now).sessionId(),
    second,
    "kept in the store, not in memory",
  );
});

test("reading the context does not count as activity", () => {
  let now = 0;
  const identity = new Identity(memory(), 1000, () => now);
  const session = identity.sessionId();
  now = 900;
  identity.sessionId(false);
  now = 1500;
  assert.notEqual(identity.sessionId(), session);
});

test("optOut forgets every id and sends nothing more; optIn starts afresh", async () => {
  const store = memory();
  const analytics = createAnalytics({
    publishableKey: "pk_live_x",
    agentId: "agt_1",
    store,
    baseUrl: "http://127.0.0.1:9",
  });
  analytics.identify("user-7");
  const before = analytics.getContext();
  assert.ok(before?.anonymousId && before.sessionId);
  assert.equal(before.userId, "user-7");
  analytics.optOut();
  assert.equal(analytics.getContext(), null);
  assert.deepEqual([...store.data.keys()], ["grounded.optOut"]);
  analytics.track("ignored");
  await analytics.flush(); // nothing queued: no request is even tried
  analytics.optIn();
  const after = analytics.getContext();
  assert.ok(after);
  assert.notEqual(after.anonymousId, before.anonymousId);
  assert.equal(after.userId, undefined);
  analytics.shutdown();
});

test("a secret key or a missing agent is refused at once", () => {
  assert.throws(() => createAnalytics({ publishableKey: "sk_live_x", agentId: "agt_1" }), /publishable key/);
  assert.throws(() => createAnalytics({ publishableKey: "pk_live_x", agentId: "" }), /agentId/);
});

test("the API root, with or without /api, same origin by default", () => {
  assert.equal(apiRoot("https://grounded.example.com"), "https://grounded.example.com/api");
  assert.equal(apiRoot("https://grounded.example.com/api/"), "https://grounded.example.com/api");
  assert.equal(apiRoot(undefined), "/api");
});
