/**
 * A list call: `await` it for one page, or `for await` over it for every item, page after page
 * through `nextCursor`:
 *
 *     const first = await grounded.sessions.list({ agentId, limit: 20 });
 *     for await (const session of grounded.sessions.list({ agentId })) { ... }
 */

import type { Page } from "./types.js";

export type FetchPage<T> = (cursor: string | undefined) => Promise<Page<T>>;

export class PageRequest<T> implements PromiseLike<Page<T>>, AsyncIterable<T> {
  private first: Promise<Page<T>> | undefined;

  constructor(
    private readonly fetchPage: FetchPage<T>,
    private readonly cursor?: string,
  ) {}

  // biome-ignore lint/suspicious/noThenProperty: a list call is awaitable on purpose (one page)
  then<A = Page<T>, B = never>(
    onfulfilled?: ((page: Page<T>) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.firstPage().then(onfulfilled, onrejected);
  }

  private firstPage(): Promise<Page<T>> {
    this.first ??= this.fetchPage(this.cursor);
    return this.first;
  }

  /** Every page, the first included. */
  async *pages(): AsyncGenerator<Page<T>> {
    let page = await this.firstPage();
    yield page;
    while (page.nextCursor) {
      page = await this.fetchPage(page.nextCursor);
      yield page;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for await (const page of this.pages()) yield* page.items;
  }

  /** Every item in one array (mind the size of what you ask for). */
  async all(): Promise<T[]> {
    const items: T[] = [];
    for await (const item of this) items.push(item);
    return items;
  }
}
