/**
 * A minimal client of the graph node's GraphQL endpoint, in The Graph's dialect: every query is pinned to one block
 * (`block: { number }`) so that all the entities compared come from the same indexed state, and collections are read
 * in full by paging on `id_gt` (as graph-node recommends over `skip`).
 */
const PAGE_SIZE = 1_000;

/** An entity as GraphQL returns it: BigInt and BigDecimal as decimal strings, Bytes as lower-case hex, relations as `{ id }`. */
export type Row = Record<string, unknown>;

export class SubgraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SubgraphError";
  }
}

export class SubgraphClient {
  readonly url: string;
  readonly block: number;

  constructor(url: string, block: number) {
    this.url = url;
    this.block = block;
  }

  async query<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await fetch(this.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    let body: { data?: T; errors?: { message: string }[] };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new SubgraphError(
        `The graph node answered ${response.status} with something that is not JSON: ${text.slice(0, 500)}`,
      );
    }
    if (body.errors !== undefined && body.errors.length > 0) {
      throw new SubgraphError(
        `The graph node refused the query: ${body.errors.map((error) => error.message).join("; ")}\n${query}`,
      );
    }
    if (body.data === undefined || body.data === null)
      throw new SubgraphError(`The graph node returned no data for:\n${query}`);
    return body.data;
  }

  /**
   * Every entity of a collection (`tasks`, `payments`, …) with the given selection, in id order. `where` adds
   * filters in GraphQL syntax (`token: "0x…"`).
   */
  async all(collection: string, selection: string, where = ""): Promise<Row[]> {
    const rows: Row[] = [];
    let after: string | null = null;
    for (;;) {
      const filter = after === null ? where : `${where} id_gt: ${JSON.stringify(after)}`;
      const query = `{ page: ${collection}(first: ${PAGE_SIZE}, orderBy: id, orderDirection: asc, where: { ${filter} }, block: { number: ${this.block} }) { id ${selection} } }`;
      const { page } = await this.query<{ page: Row[] }>(query);
      rows.push(...page);
      if (page.length < PAGE_SIZE) return rows;
      after = page[page.length - 1]!.id as string;
    }
  }

  /** One entity by id, or null. `entity` is the singular query field (`task`, `account`, …). */
  async one(entity: string, id: string, selection: string): Promise<Row | null> {
    const query = `{ row: ${entity}(id: ${JSON.stringify(id)}, block: { number: ${this.block} }) { id ${selection} } }`;
    const { row } = await this.query<{ row: Row | null }>(query);
    return row;
  }
}
