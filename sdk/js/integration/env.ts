/** What the pytest driver (tests/js/test_js_sdk.py) hands the integration tests: the local cloud,
 * a fresh org's secret key, an agent with a snapshot, and the fake OpenAI server. */

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these tests through pytest tests/js (make test does)`);
  return value;
}

export const env = {
  baseUrl: required("GROUNDED_BASE_URL"),
  apiKey: required("GROUNDED_API_KEY"),
  agentId: required("GROUNDED_AGENT_ID"),
  openaiUrl: required("GROUNDED_TEST_OPENAI_URL"),
};

/** Polls `probe` until it returns something truthy (a condition, never a bare sleep). */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 60_000,
) {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}; last saw ${String(last)}`);
}
