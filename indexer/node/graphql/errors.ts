// The errors a query can end in. Where graph-node has a message for the same condition, the message is graph-node's,
// word for word, so that a client (or a test) written against The Graph sees the same text here.
import type { ASTNode } from "graphql";

/** An error that goes back to the client as one entry of `errors`, located at the query nodes it is about. */
export class QueryError extends Error {
  override name = "QueryError";
  readonly nodes: readonly ASTNode[] | undefined;

  constructor(message: string, nodes?: readonly ASTNode[]) {
    super(message);
    this.nodes = nodes;
  }
}

/** graph-node's `ValueParseError`. */
export function valueParseError(what: string, detail: string, nodes?: readonly ASTNode[]): QueryError {
  return new QueryError(`Failed to decode \`${what}\` value: \`${detail}\``, nodes);
}

/** graph-node's `RangeArgumentsError` (its wording, including "between 0" for `first`, which must be at least 1). */
export function rangeError(argument: "first" | "skip", max: number, actual: number, nodes?: readonly ASTNode[]) {
  return new QueryError(`The \`${argument}\` argument must be between 0 and ${max}, but is ${actual}`, nodes);
}

/** graph-node's `OrderByNotSupportedError`. */
export function orderByNotSupported(entity: string, field: string, nodes?: readonly ASTNode[]): QueryError {
  return new QueryError(`Ordering by \`${field}\` is not supported for type \`${entity}\``, nodes);
}

/** graph-node's message for a block that the subgraph has not indexed yet. */
export function blockNotIndexed(deployment: string, latest: number, requested: number): string {
  return (
    `subgraph ${deployment} has only indexed up to block number ${latest} ` +
    `and data for block number ${requested} is therefore not yet available`
  );
}

export function notStartedError(deployment: string): QueryError {
  return new QueryError(
    `Subgraph \`${deployment}\` has not started syncing yet. Wait for it to ingest a few blocks before querying it`,
  );
}

/** The error graph-node puts in a response whose data is affected by an indexing error (its exact text). */
export const INDEXING_ERROR = "indexing_error";
