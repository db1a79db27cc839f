/**
 * The query engine's own coercion of variables must give exactly what graphql-js's `getVariableValues` gives, or hand
 * over to it; and the document that shapes a response drops only the whole-argument variables of input object types.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { Kind, getVariableValues, parse, print, type OperationDefinitionNode } from "graphql";

import { buildApiSchema } from "../../../indexer/node/graphql/api-schema.ts";
import { coerceVariables, executionDocument } from "../../../indexer/node/graphql/variables.ts";
import { parseSchema } from "../../../indexer/node/schema.ts";

const { schema } = buildApiSchema(
  parseSchema(/* GraphQL */ `
    enum Status {
      Open
      Done
    }
    type User @entity {
      id: Bytes!
      name: String!
      tasks: [Task!]! @derivedFrom(field: "poster")
    }
    type Task @entity {
      id: ID!
      status: Status!
      reward: BigInt!
      fee: BigDecimal
      poster: User!
      hashes: [Bytes!]
      deadline: Timestamp!
    }
  `),
);

const operation = (query: string) =>
  parse(query).definitions.find(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  )!;

const QUERY = operation(
  `query ($where: Task_filter!, $block: Block_height, $first: Int, $statuses: [Status!], $flag: Boolean = true) {
     tasks(where: $where, block: $block, first: $first) { id }
   }`,
);

describe("GraphQL variables", () => {
  it("coerces as graphql-js does, in its field order, for what graphql-js accepts", () => {
    const inputs: Record<string, unknown>[] = [
      { where: {} },
      { where: { status: "Open", reward_gte: "10", id_in: ["a", "b"] }, first: 5 },
      { where: { reward_lt: 100, status_in: "Done", hashes_contains: ["0xAB01", "0x"] }, statuses: "Open" },
      {
        where: {
          and: [
            {
              or: [
                { status: "Open", deadline_gt: "5" },
                { fee: null, fee_not: "1.50" },
              ],
            },
            { poster_: { name_starts_with_nocase: "a" } },
          ],
          // graphql-js keeps the type's field order, not the order of the input.
        },
        block: { number: 3 },
        statuses: ["Open", "Done"],
        flag: false,
      },
      { where: { poster: "0xaa01", poster_in: ["0xaa01"], _change_block: { number_gte: 2 } }, block: null },
    ];
    for (const given of inputs) {
      // `$flag` has a default, which is graphql-js's to evaluate: it is given here.
      const variables = { flag: true, ...given };
      const reference = getVariableValues(schema, QUERY.variableDefinitions!, variables);
      assert.equal(reference.errors, undefined, JSON.stringify(reference.errors));
      const coerced = coerceVariables(schema, QUERY.variableDefinitions!, variables);
      assert.deepEqual(coerced, reference.coerced, JSON.stringify(variables));
      assert.deepEqual(JSON.stringify(coerced), JSON.stringify(reference.coerced), "the same key order");
    }
    const reordered = coerceVariables(schema, QUERY.variableDefinitions!, {
      where: { status: "Open", id: "a", reward_gt: "1" },
      flag: false,
    }) as { where: object };
    assert.deepEqual(Object.keys(reordered.where), ["id", "status", "reward_gt"]);
  });

  it("hands over to graphql-js whatever it would refuse or has to evaluate", () => {
    const handedOver: Record<string, unknown>[] = [
      {},
      { where: null },
      { where: [] },
      { where: { stauts: "Open" } },
      { where: { status: "Closed" } },
      { where: { reward: "1.5" } },
      { where: { hashes_contains: ["zz"] } },
      { where: { and: [{ status: null }] }, statuses: [null] },
      { where: {}, block: { number: "x" } },
    ];
    for (const variables of handedOver) {
      const reference = getVariableValues(schema, QUERY.variableDefinitions!, variables);
      const coerced = coerceVariables(schema, QUERY.variableDefinitions!, variables);
      if (reference.errors) assert.equal(coerced, undefined, JSON.stringify(variables));
      else assert.deepEqual(coerced ?? reference.coerced, reference.coerced, JSON.stringify(variables));
    }
    // A default value is graphql-js's to evaluate.
    assert.equal(coerceVariables(schema, QUERY.variableDefinitions!, { where: {} }), undefined);
    assert.notEqual(coerceVariables(schema, QUERY.variableDefinitions!, { where: {}, flag: true }), undefined);
  });

  it("shapes responses without the input object variables given whole as arguments", () => {
    const document = parse(
      `query Q($where: Task_filter!, $block: Block_height, $first: Int, $skip: Boolean!, $nested: Task_filter) {
         tasks(where: $where, block: $block, first: $first) { id poster { name @skip(if: $skip) } ...F }
         other: tasks(where: { and: [$nested] }) { id }
       }
       query Unused { _meta { deployment } }
       fragment F on Task { status }`,
    );
    const query = document.definitions[0] as OperationDefinitionNode;
    const shaping = print(executionDocument(schema, document, query));
    assert.match(shaping, /query Q\(\$first: Int, \$skip: Boolean!, \$nested: Task_filter\)/);
    assert.match(shaping, /tasks\(first: \$first\) \{/);
    assert.match(shaping, /other: tasks\(where: \{and: \[\$nested\]\}\)/);
    assert.match(shaping, /fragment F on Task/);
    assert.doesNotMatch(shaping, /Unused/);
    const plain = parse(`query ($first: Int) { tasks(first: $first) { id } }`);
    assert.equal(executionDocument(schema, plain, plain.definitions[0] as OperationDefinitionNode), plain);
  });
});
