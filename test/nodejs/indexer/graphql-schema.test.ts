/**
 * The query API generated from a subgraph schema: the names graph-node gives query fields, filters and orderings
 * (graph/src/schema/api.rs and its tests), the arguments of every field, the shared types, and introspection.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLObjectType,
  getIntrospectionQuery,
  printType,
  type GraphQLField,
} from "graphql";

import { buildApiSchema } from "../../../indexer/node/graphql/api-schema.ts";
import { QueryEngine } from "../../../indexer/node/graphql/index.ts";
import { camelCase, pluralize, queryFieldNames } from "../../../indexer/node/graphql/naming.ts";
import { parseSchema } from "../../../indexer/node/schema.ts";
import { openDatabase } from "../../../indexer/node/store/database.ts";

const PETS = /* GraphQL */ `
  enum FurType {
    NONE
    FLUFFY
    BRISTLY
  }

  "A pet"
  type Pet @entity {
    id: ID!
    "What it is called"
    name: String!
    mostHatedBy: [User!]!
    mostLovedBy: [User!]!
  }

  type User @entity {
    id: ID!
    name: String!
    favoritePetNames: [String!]
    pets: [Pet!]!
    favoriteFurType: FurType!
    favoritePet: Pet!
    leastFavoritePet: Pet @derivedFrom(field: "mostHatedBy")
    mostFavoritePets: [Pet!] @derivedFrom(field: "mostLovedBy")
  }

  type Wallet @entity(immutable: true) {
    id: Bytes!
    owner: User
    balance: BigInt!
    share: BigDecimal
    nonce: Int8!
    seenAt: Timestamp!
    active: Boolean!
    code: Bytes
    friends: [Wallet!]
    counts: [Int!]!
  }
`;

const STRING_OPS = [
  "",
  "_not",
  "_gt",
  "_lt",
  "_gte",
  "_lte",
  "_in",
  "_not_in",
  "_contains",
  "_contains_nocase",
  "_not_contains",
  "_not_contains_nocase",
  "_starts_with",
  "_starts_with_nocase",
  "_not_starts_with",
  "_not_starts_with_nocase",
  "_ends_with",
  "_ends_with_nocase",
  "_not_ends_with",
  "_not_ends_with_nocase",
];
const ORDERED_OPS = ["", "_not", "_gt", "_lt", "_gte", "_lte", "_in", "_not_in"];
const ops = (field: string, suffixes: string[]) => suffixes.map((suffix) => `${field}${suffix}`);

const api = buildApiSchema(parseSchema(PETS));
const type = <T>(name: string, kind: new (...args: never[]) => T): T => {
  const found = api.schema.getType(name);
  assert.ok(found instanceof kind, `${name} is missing or not a ${kind.name}`);
  return found as T;
};
const argumentsOf = (field: GraphQLField<unknown, unknown>) =>
  Object.fromEntries(field.args.map((argument) => [argument.name, [String(argument.type), argument.defaultValue]]));

describe("GraphQL API schema", () => {
  it("names query fields as graph-node does (Inflector's camelCase and plural)", () => {
    const cases: [string, string, string][] = [
      ["Task", "task", "tasks"],
      ["Musician", "musician", "musicians"],
      ["SongStat", "songStat", "songStats"],
      ["Media", "media", "medias"],
      ["Plays", "plays", "plays_collection"],
      ["SongPlays", "songPlays", "songPlays_collection"],
      ["TaskStatus", "taskStatus", "taskStatuses"],
      ["Category", "category", "categories"],
      ["Address", "address", "addresses"],
      ["Box", "box", "boxes"],
      ["Leaf", "leaf", "leaves"],
      ["Analysis", "analysis", "analyses"],
      ["Person", "person", "persons"],
      ["ERC20Token", "erc20Token", "erc20Tokens"],
      ["UniswapV3Pool", "uniswapV3Pool", "uniswapV3Pools"],
      ["news", "news", "news_collection"],
    ];
    for (const [name, singular, plural] of cases) {
      assert.deepEqual(queryFieldNames(name), { singular, plural }, name);
    }
    assert.equal(camelCase("foo_bar-baz"), "fooBarBaz");
    assert.equal(pluralize("child"), "children");
    assert.equal(pluralize("ox"), "oxen");
  });

  it("generates the query fields with graph-node's arguments and defaults", () => {
    const fields = api.schema.getQueryType()!.getFields();
    assert.deepEqual(Object.keys(fields), ["pet", "pets", "user", "users", "wallet", "wallets", "_meta"]);
    assert.deepEqual(argumentsOf(fields.pet!), {
      id: ["ID!", undefined],
      block: ["Block_height", undefined],
      subgraphError: ["_SubgraphErrorPolicy_!", "deny"],
    });
    assert.deepEqual(argumentsOf(fields.pets!), {
      skip: ["Int", 0],
      first: ["Int", 100],
      orderBy: ["Pet_orderBy", undefined],
      orderDirection: ["OrderDirection", undefined],
      where: ["Pet_filter", undefined],
      block: ["Block_height", undefined],
      subgraphError: ["_SubgraphErrorPolicy_!", "deny"],
    });
    assert.equal(String(fields.pets!.type), "[Pet!]!");
    assert.equal(String(fields.pet!.type), "Pet");
    assert.deepEqual(argumentsOf(fields._meta!), { block: ["Block_height", undefined] });
    assert.equal(String(fields._meta!.type), "_Meta_");
  });

  it("gives collection arguments to fields that hold lists of entities, and only to those", () => {
    const user = type("User", GraphQLObjectType).getFields();
    const collection = {
      skip: ["Int", 0],
      first: ["Int", 100],
      orderBy: ["Pet_orderBy", undefined],
      orderDirection: ["OrderDirection", undefined],
      where: ["Pet_filter", undefined],
    };
    assert.deepEqual(argumentsOf(user.pets!), collection);
    assert.deepEqual(argumentsOf(user.mostFavoritePets!), collection);
    assert.deepEqual(argumentsOf(user.favoritePetNames!), {});
    assert.deepEqual(argumentsOf(user.favoritePet!), {});
    assert.equal(String(user.favoritePetNames!.type), "[String!]");
    assert.equal(String(user.leastFavoritePet!.type), "Pet");
  });

  it("generates Foo_orderBy with one level of child fields for single references", () => {
    assert.deepEqual(
      type("User_orderBy", GraphQLEnumType)
        .getValues()
        .map((value) => value.name),
      [
        "id",
        "name",
        "favoritePetNames",
        "pets",
        "favoriteFurType",
        "favoritePet",
        "favoritePet__id",
        "favoritePet__name",
        "leastFavoritePet",
        "leastFavoritePet__id",
        "leastFavoritePet__name",
        "mostFavoritePets",
      ],
    );
    assert.deepEqual(
      type("Pet_orderBy", GraphQLEnumType)
        .getValues()
        .map((value) => value.name),
      ["id", "name", "mostHatedBy", "mostLovedBy"],
    );
  });

  it("generates Foo_filter with graph-node's operators per field type", () => {
    const filter = (name: string) => Object.keys(type(name, GraphQLInputObjectType).getFields());
    const listOps = ["", "_not", "_contains", "_contains_nocase", "_not_contains", "_not_contains_nocase"];
    assert.deepEqual(filter("User_filter"), [
      ...ops("id", ORDERED_OPS),
      ...ops("name", STRING_OPS),
      ...ops("favoritePetNames", listOps),
      ...ops("pets", listOps),
      "pets_",
      ...ops("favoriteFurType", ["", "_not", "_in", "_not_in"]),
      ...ops("favoritePet", STRING_OPS),
      "favoritePet_",
      "leastFavoritePet_",
      "mostFavoritePets_",
      "_change_block",
      "and",
      "or",
    ]);
    assert.deepEqual(filter("Pet_filter"), [
      ...ops("id", ORDERED_OPS),
      ...ops("name", STRING_OPS),
      ...ops("mostHatedBy", listOps),
      "mostHatedBy_",
      ...ops("mostLovedBy", listOps),
      "mostLovedBy_",
      "_change_block",
      "and",
      "or",
    ]);
    // Bytes and numbers; references to entities with Bytes ids have no `_nocase` on lists.
    assert.deepEqual(filter("Wallet_filter"), [
      ...ops("id", [...ORDERED_OPS, "_contains", "_not_contains"]),
      ...ops("owner", STRING_OPS),
      "owner_",
      ...ops("balance", ORDERED_OPS),
      ...ops("share", ORDERED_OPS),
      ...ops("nonce", ORDERED_OPS),
      ...ops("seenAt", ORDERED_OPS),
      ...ops("active", ["", "_not", "_in", "_not_in"]),
      ...ops("code", [...ORDERED_OPS, "_contains", "_not_contains"]),
      ...ops("friends", ["", "_not", "_contains", "_not_contains"]),
      "friends_",
      ...ops("counts", ["", "_not", "_contains", "_not_contains"]),
      "_change_block",
      "and",
      "or",
    ]);
    const wallet = type("Wallet_filter", GraphQLInputObjectType).getFields();
    const typeOf = (name: string) => String(wallet[name]!.type);
    assert.equal(typeOf("owner"), "String");
    assert.equal(typeOf("owner_in"), "[String!]");
    assert.equal(typeOf("owner_"), "User_filter");
    assert.equal(typeOf("friends"), "[String!]");
    assert.equal(typeOf("balance_in"), "[BigInt!]");
    assert.equal(typeOf("seenAt_gt"), "Timestamp");
    assert.equal(typeOf("counts_contains"), "[Int!]");
    assert.equal(typeOf("_change_block"), "BlockChangedFilter");
    assert.equal(typeOf("and"), "[Wallet_filter]");
  });

  it("declares graph-node's shared types and keeps the schema's descriptions", () => {
    assert.equal(
      printType(api.schema.getType("Block_height")!),
      `"""The block at which the query should be executed."""\ninput Block_height {\n  """Value containing a block hash"""\n  hash: Bytes\n\n  """Value containing a block number"""\n  number: Int\n\n  """\n  Value containing the minimum block number.\n  In the case of \`number_gte\`, the query will be executed on the latest block only if\n  the subgraph has progressed to or past the minimum block number.\n  Defaults to the latest block when omitted.\n  """\n  number_gte: Int\n}`,
    );
    for (const name of ["BigInt", "BigDecimal", "Bytes", "Int8", "Timestamp"])
      assert.ok(api.schema.getType(name), name);
    assert.deepEqual(Object.keys(type("_Meta_", GraphQLObjectType).getFields()), [
      "block",
      "deployment",
      "hasIndexingErrors",
    ]);
    assert.deepEqual(Object.keys(type("_Block_", GraphQLObjectType).getFields()), [
      "hash",
      "number",
      "timestamp",
      "parentHash",
    ]);
    assert.deepEqual(
      type("OrderDirection", GraphQLEnumType)
        .getValues()
        .map((value) => value.name),
      ["asc", "desc"],
    );
    assert.deepEqual(
      type("_SubgraphErrorPolicy_", GraphQLEnumType)
        .getValues()
        .map((value) => value.name),
      ["allow", "deny"],
    );
    assert.equal(type("Pet", GraphQLObjectType).description, "A pet");
    assert.equal(type("Pet", GraphQLObjectType).getFields().name!.description, "What it is called");
  });

  it("adds a query field per full-text search, with graph-node's arguments", () => {
    const searchable = buildApiSchema(
      parseSchema(/* GraphQL */ `
        type _Schema_
          @fulltext(
            name: "petSearch"
            language: en
            algorithm: rank
            include: [{ entity: "Pet", fields: [{ name: "name" }] }]
          )
        type Pet @entity {
          id: ID!
          name: String!
        }
      `),
    );
    const field = searchable.schema.getQueryType()!.getFields().petSearch!;
    assert.equal(String(field.type), "[Pet!]!");
    assert.deepEqual(argumentsOf(field), {
      text: ["String!", undefined],
      first: ["Int", 100],
      skip: ["Int", 0],
      block: ["Block_height", undefined],
      where: ["Pet_filter", undefined],
      subgraphError: ["_SubgraphErrorPolicy_!", "deny"],
    });
  });

  it("refuses a subgraph schema that takes a name the API generates", () => {
    assert.throws(
      () =>
        buildApiSchema(
          parseSchema(/* GraphQL */ `
            enum OrderDirection {
              up
              down
            }
            type Pet @entity {
              id: ID!
            }
          `),
        ),
      /The subgraph schema defines `OrderDirection`, a name the query API generates itself/,
    );
  });

  it("answers introspection through the engine, before anything is indexed", async () => {
    const db = await openDatabase();
    try {
      const engine = new QueryEngine({
        db,
        model: parseSchema(PETS),
        dbSchema: "subgraph_not_created",
        deploymentId: "QmPets",
      });
      const result = (await engine.execute({ query: getIntrospectionQuery() })) as {
        data: { __schema: { queryType: { name: string }; types: { name: string }[] } };
        errors?: unknown;
      };
      assert.equal(result.errors, undefined);
      assert.equal(result.data.__schema.queryType.name, "Query");
      const names = result.data.__schema.types.map((entry) => entry.name);
      for (const name of ["Pet", "User_filter", "Wallet_orderBy", "_Meta_", "Block_height", "BigInt"]) {
        assert.ok(names.includes(name), name);
      }
    } finally {
      await db.close();
    }
  });
});
