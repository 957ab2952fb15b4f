import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, request, whenSessionExpires } from "../src/api";
import { Confirm, Loaded } from "../src/components/ui";
import { Waterfall } from "../src/components/Waterfall";
import { Keys } from "../src/pages/Org";

function wrap(children: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return (
    <QueryClientProvider client={client}>
      <MemoryRouter>{children}</MemoryRouter>
    </QueryClientProvider>
  );
}

function answer(status: number, body: unknown) {
  return Promise.resolve(new Response(body === undefined ? null : JSON.stringify(body), { status }));
}

afterEach(() => vi.unstubAllGlobals());

function Probe({ run }: { run: () => Promise<{ items: string[] }> }) {
  const query = useQuery({ queryKey: ["probe"], queryFn: run });
  return (
    <Loaded query={query} empty={(page) => page.items.length === 0}>
      {(page) => <p>{page.items.join(",")}</p>}
    </Loaded>
  );
}

describe("loading, empty and error states", () => {
  it("says it is loading, then shows the data", async () => {
    render(wrap(<Probe run={() => Promise.resolve({ items: ["a", "b"] })} />));
    expect(screen.getByRole("status")).toHaveTextContent("Loading");
    expect(await screen.findByText("a,b")).toBeInTheDocument();
  });

  it("says 'No data yet' for an empty list", async () => {
    render(wrap(<Probe run={() => Promise.resolve({ items: [] })} />));
    expect(await screen.findByText("No data yet")).toBeInTheDocument();
  });

  it("shows the API's message and the fields it names", async () => {
    const failure = new ApiError(422, "validation_error", "The request is not valid.", [
      { field: "name", message: "required" },
    ]);
    render(wrap(<Probe run={() => Promise.reject(failure)} />));
    expect(await screen.findByRole("alert")).toHaveTextContent("The request is not valid. (name: required)");
  });
});

describe("the span waterfall", () => {
  const spans = [
    {
      id: "b",
      parentId: "a",
      kind: "llm",
      name: "answer",
      model: "gpt-4o-mini",
      startedAt: "2026-01-01T00:00:00.500Z",
      endedAt: "2026-01-01T00:00:01Z",
      usage: { inputTokens: 800, outputTokens: 76 },
      output: "It ships tomorrow.",
    },
    {
      id: "a",
      kind: "chain",
      name: "plan",
      startedAt: "2026-01-01T00:00:00Z",
      endedAt: "2026-01-01T00:00:01Z",
    },
    {
      id: "c",
      parentId: "a",
      kind: "tool",
      name: "lookup",
      startedAt: "2026-01-01T00:00:00.100Z",
      endedAt: "2026-01-01T00:00:00.400Z",
      status: "error",
      error: "timeout",
    },
  ];

  it("puts children under their parent in time order, with tokens and errors", () => {
    render(<Waterfall spans={spans as never} />);
    const rows = screen.getAllByRole("button");
    expect(rows.map((row) => row.textContent)).toEqual([
      expect.stringContaining("plan"),
      expect.stringContaining("lookup"),
      expect.stringContaining("answer"),
    ]);
    expect(rows[1]).toHaveTextContent("error");
    expect(rows[2]).toHaveTextContent("876 tok");
  });

  it("opens a span's input and output on click", async () => {
    render(<Waterfall spans={spans as never} />);
    const answerRow = screen.getByRole("button", { name: /answer/ });
    expect(answerRow).toHaveAttribute("aria-expanded", "false");
    await userEvent.click(answerRow);
    expect(answerRow).toHaveAttribute("aria-expanded", "true");
    expect(screen.getByText("It ships tomorrow.")).toBeInTheDocument();
  });
});

describe("destructive actions ask twice", () => {
  it("runs only after 'Yes'", async () => {
    const onConfirm = vi.fn();
    render(<Confirm label="Revoke" confirm="Revoke it?" onConfirm={onConfirm} />);
    await userEvent.click(screen.getByRole("button", { name: "Revoke" }));
    expect(onConfirm).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole("button", { name: "Yes, revoke" }));
    expect(onConfirm).toHaveBeenCalledOnce();
  });
});

describe("the API layer", () => {
  it("sends the CSRF header and the acting org, never a token", async () => {
    const fetch = vi.fn(() => answer(200, { ok: true }));
    vi.stubGlobal("fetch", fetch);
    sessionStorage.setItem("grounded.org", "org_1");
    await request("POST", "agents", { body: { name: "x" } });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/agents");
    expect(init.headers).toMatchObject({ "x-grounded-csrf": "1", "x-grounded-org": "org_1" });
    expect(init.headers).not.toHaveProperty("authorization");
    expect(init.credentials).toBe("same-origin");
  });

  it("a 401 ends the session (the app goes to log-in)", async () => {
    const expired = vi.fn();
    whenSessionExpires(expired);
    vi.stubGlobal("fetch", () => answer(401, { error: "The token has expired.", code: "token_expired" }));
    await expect(request("GET", "agents")).rejects.toMatchObject({ status: 401, code: "token_expired" });
    expect(expired).toHaveBeenCalledOnce();
  });
});

describe("API keys", () => {
  it("shows a new key once, with a copy button, until Done", async () => {
    const created = {
      id: "key_1",
      name: "backend",
      key: "sk_live_secret",
      kind: "secret",
      prefix: "sk_live_se",
      scopes: [],
      orgId: "o",
      createdAt: "2026-01-01T00:00:00Z",
    };
    vi.stubGlobal("fetch", (url: string, init?: RequestInit) => {
      if (url.startsWith("/api/me"))
        return answer(200, { kind: "user", role: "OWNER", org: { id: "o", name: "O" } });
      if (url.startsWith("/api/keys") && init?.method === "POST") return answer(201, created);
      if (url.startsWith("/api/keys")) return answer(200, { items: [{ ...created, key: undefined }] });
      return answer(200, { items: [] });
    });
    render(wrap(<Keys />));
    await userEvent.type(await screen.findByLabelText("Name"), "backend");
    await userEvent.click(screen.getByRole("button", { name: "Create key" }));
    expect(await screen.findByText("sk_live_secret")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Copy" })).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Done" }));
    await waitFor(() => expect(screen.queryByText("sk_live_secret")).not.toBeInTheDocument());
  });
});
