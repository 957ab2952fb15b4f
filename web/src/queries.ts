/** Server state: one query per list or resource, keyed by path and filters, so a mutation
 * invalidates exactly what it changes (counts update without a reload). */

import { type QueryKey, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type Page } from "./api";

type Query = Record<string, string | number | boolean | null | undefined>;

export function useList<T>(
  path: string,
  query: Query = {},
  options: { refetchInterval?: number | false } = {},
) {
  return useQuery({
    queryKey: [path, query],
    queryFn: () => api.get<Page<T>>(path, { limit: 100, ...query }),
    ...options,
  });
}

/** One resource; `refetchInterval(data)` keeps polling while it answers a number of ms. */
export function useOne<T>(path: string | null, refetchInterval?: (data: T | undefined) => number | false) {
  return useQuery({
    queryKey: [path],
    queryFn: () => api.get<T>(path ?? ""),
    enabled: path !== null,
    refetchInterval: refetchInterval ? (query) => refetchInterval(query.state.data) : false,
  });
}

/** A mutation that, once it succeeds, refetches every query whose key starts with one of
 * `touches`. A fetch of those still in flight is cancelled first: it may have been sent before the
 * change was made, and a refetch would otherwise join it (and show the old answer). */
export function useChange<A, R>(run: (args: A) => Promise<R>, touches: string[]) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: async () => {
      const predicate = (query: { queryKey: QueryKey }) =>
        touches.some((prefix) => String(query.queryKey[0]).startsWith(prefix));
      await client.cancelQueries({ predicate });
      await client.invalidateQueries({ predicate });
    },
  });
}
