/**
 * The dashboard's one way to the API: same origin, the session in an HttpOnly cookie that page
 * scripts never see, and on every request the `X-Grounded-CSRF` header, which a cross-site form
 * cannot send (the authorizer refuses a state-changing request that carries the cookie without
 * it). The org the user acts in goes in `X-Grounded-Org`.
 */

// The API's types, generated from openapi.json once for the JavaScript SDK (sdk/js, checked current by `make js`)
import type { components } from "../../sdk/js/packages/client/src/openapi";

export type Schemas = components["schemas"];

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { field?: string; message?: string }[] = [],
  ) {
    super(message);
  }
}

const ORG_KEY = "grounded.org";

export function actingOrg(): string | null {
  return sessionStorage.getItem(ORG_KEY);
}

/** The org acted in; set at sign-in, cleared at log-out. Its presence also tells a session that
 * ended ("log in again") from a first visit. */
export function setActingOrg(orgId: string | null): void {
  if (orgId) sessionStorage.setItem(ORG_KEY, orgId);
  else sessionStorage.removeItem(ORG_KEY);
}

/** Called when the session has ended (401 on an authenticated call): the app goes to log-in. */
let onExpired: (() => void) | undefined;
export function whenSessionExpires(handler: () => void): void {
  onExpired = handler;
}

type Query = Record<string, string | number | boolean | null | undefined>;

function url(path: string, query?: Query): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return `/api/${path.replace(/^\//, "")}${text ? `?${text}` : ""}`;
}

export async function request<T>(
  method: string,
  path: string,
  options: { body?: unknown; query?: Query; public?: boolean; cookieOnly?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json", "x-grounded-csrf": "1" };
  const org = actingOrg();
  if (org) headers["x-grounded-org"] = org;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.cookieOnly) headers["x-grounded-session"] = "cookie";
  const response = await fetch(url(path, options.query), {
    method,
    headers,
    credentials: "same-origin",
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  if (response.ok) return body as T;
  const error = (body ?? {}) as { error?: string; code?: string; details?: ApiError["details"] };
  if (response.status === 401 && !options.public) onExpired?.();
  throw new ApiError(
    response.status,
    error.code ?? "error",
    error.error ?? `The request failed (${response.status}).`,
    error.details ?? [],
  );
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>("GET", path, { query }),
  post: <T>(path: string, body?: unknown) => request<T>("POST", path, { body: body ?? {} }),
  patch: <T>(path: string, body: unknown) => request<T>("PATCH", path, { body }),
  put: <T>(path: string, body: unknown) => request<T>("PUT", path, { body }),
  /** A delete may carry a body: deleting an org or an account is confirmed in it. */
  delete: <T>(path: string, body?: unknown) => request<T>("DELETE", path, { body }),
};
