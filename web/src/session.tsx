/** Who is signed in (`GET /api/me`), log-in / sign-up / log-out, and the org being acted in. */

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, request, type Schemas, setActingOrg } from "./api";

export type Me = Schemas["Me"];
export type Role = NonNullable<Me["role"]>;

export function useMe() {
  return useQuery({ queryKey: ["me"], queryFn: () => api.get<Me>("me"), retry: false, staleTime: 30_000 });
}

const RANK: Record<string, number> = { VIEWER: 0, MEMBER: 1, ADMIN: 2, OWNER: 3 };

/** Whether the signed-in user's role in this org reaches `role` (what it may not do is not offered). */
export function useCan(role: Role): boolean {
  const me = useMe().data;
  return (RANK[me?.role ?? "VIEWER"] ?? 0) >= (RANK[role] ?? 99);
}

/** Log-in, sign-up and invite acceptance set the HttpOnly session cookie; the answer's token is
 * not kept anywhere a script could read it (the `X-Grounded-Session: cookie` header asks the API
 * to leave it out of the body). */
function signIn(path: string, body: unknown) {
  return request<Schemas["Session"]>("POST", path, { body, public: true, cookieOnly: true });
}

export function useSignIn(
  path: "auth/login" | "auth/signup" | "auth/password-reset/confirm" | `invites/${string}/accept`,
) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: unknown) => signIn(path, body),
    onSuccess: async (answer) => {
      setActingOrg(answer.org?.id ?? answer.orgs?.[0]?.orgId ?? null);
      // another user's (or no user's) answers must not show: reset keeps mounted views subscribed
      await client.resetQueries();
    },
  });
}

/** Ask for a reset link (the answer is the same whether or not the address has an account). */
export function useAskPasswordReset() {
  return useMutation({
    mutationFn: (body: { email: string }) =>
      request<Schemas["ResetAccepted"]>("POST", "auth/password-reset", { body, public: true }),
  });
}

export function useLogOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => request<void>("POST", "auth/logout", { public: true }),
    onSettled: () => {
      setActingOrg(null);
      client.clear();
    },
  });
}
