// The query API of a subgraph, generated from its schema the way graph-node generates it (graph/src/schema/api.rs):
// for each entity type `Foo`, the query fields `foo(id)` and `foos(...)`, the input type `Foo_filter` with one input
// per field and operator, the enum `Foo_orderBy`, collection arguments on list fields that hold entities, and the
// shared types `Block_height`, `OrderDirection`, `_Meta_`, `_Block_`, `_SubgraphErrorPolicy_`. Besides the
// GraphQLSchema, the builder keeps what each generated name means (which field and operator a filter input stands
// for, which field an orderBy value sorts on), so that the executor never parses names back.
import {
  DirectiveLocation,
  GraphQLBoolean,
  GraphQLDirective,
  GraphQLEnumType,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  Kind,
  assertValidSchema,
  specifiedDirectives,
  type GraphQLArgumentConfig,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLInputFieldConfig,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLNamedType,
} from "graphql";

import type { EntityModel, FieldModel, FulltextModel, SchemaModel } from "../schema.ts";
import { queryFieldNames } from "./naming.ts";
import { BigDecimalScalar, BigIntScalar, BytesScalar, Int8Scalar, TimestampScalar } from "./scalars.ts";

/** A filter operator: the suffix of a `Foo_filter` input after the field name (`""` for equality). */
export type FilterOp =
  | ""
  | "not"
  | "gt"
  | "lt"
  | "gte"
  | "lte"
  | "in"
  | "not_in"
  | "contains"
  | "contains_nocase"
  | "not_contains"
  | "not_contains_nocase"
  | "starts_with"
  | "starts_with_nocase"
  | "not_starts_with"
  | "not_starts_with_nocase"
  | "ends_with"
  | "ends_with_nocase"
  | "not_ends_with"
  | "not_ends_with_nocase";

/** What one input field of a `Foo_filter` means. */
export type FilterSpec =
  | { kind: "value"; field: FieldModel; op: FilterOp }
  | { kind: "child"; field: FieldModel }
  | { kind: "and" }
  | { kind: "or" }
  | { kind: "changeBlock" };

/** What one value of a `Foo_orderBy` enum sorts on: a field, or (`field__child`) a field of the entity it references. */
export interface OrderSpec {
  field: FieldModel;
  child?: FieldModel;
}

export interface EntityApi {
  entity: EntityModel;
  objectType: GraphQLObjectType;
  filters: Map<string, FilterSpec>;
  orderBy: Map<string, OrderSpec>;
}

export type RootFieldSpec =
  | { kind: "byId"; entity: EntityModel }
  | { kind: "collection"; entity: EntityModel }
  | { kind: "fulltext"; entity: EntityModel; search: FulltextModel }
  | { kind: "meta" };

export interface ApiSchema {
  schema: GraphQLSchema;
  entities: Map<string, EntityApi>;
  rootFields: Map<string, RootFieldSpec>;
}

// graph-node's operator sets per type (`field_filter_ops` in api.rs), in its order.
const ORDERED_OPS: FilterOp[] = ["", "not", "gt", "lt", "gte", "lte", "in", "not_in"];
const STRING_OPS: FilterOp[] = [
  ...ORDERED_OPS,
  "contains",
  "contains_nocase",
  "not_contains",
  "not_contains_nocase",
  "starts_with",
  "starts_with_nocase",
  "not_starts_with",
  "not_starts_with_nocase",
  "ends_with",
  "ends_with_nocase",
  "not_ends_with",
  "not_ends_with_nocase",
];
const SCALAR_OPS: Record<string, FilterOp[]> = {
  Boolean: ["", "not", "in", "not_in"],
  Bytes: [...ORDERED_OPS, "contains", "not_contains"],
  ID: ORDERED_OPS,
  BigInt: ORDERED_OPS,
  BigDecimal: ORDERED_OPS,
  Int: ORDERED_OPS,
  Int8: ORDERED_OPS,
  Timestamp: ORDERED_OPS,
  String: STRING_OPS,
};
const ENUM_OPS: FilterOp[] = ["", "not", "in", "not_in"];
const LIST_OPS: FilterOp[] = ["", "not", "contains", "not_contains"];
const LIST_NOCASE_OPS: FilterOp[] = ["", "not", "contains", "contains_nocase", "not_contains", "not_contains_nocase"];

const SCALARS: Record<string, GraphQLInputType & GraphQLOutputType & GraphQLNamedType> = {
  ID: GraphQLID,
  String: GraphQLString,
  Int: GraphQLInt,
  Boolean: GraphQLBoolean,
  Bytes: BytesScalar,
  BigInt: BigIntScalar,
  BigDecimal: BigDecimalScalar,
  Int8: Int8Scalar,
  Timestamp: TimestampScalar,
};

const BLOCK_DESCRIPTION =
  "The block at which the query should be executed. Can either be a `{ hash: Bytes }` value containing a block hash, " +
  "a `{ number: Int }` containing the block number, or a `{ number_gte: Int }` containing the minimum block number. " +
  "In the case of `number_gte`, the query will be executed on the latest block only if the subgraph has progressed " +
  "to or past the minimum block number. Defaults to the latest block when omitted.";

export const OrderDirectionType = new GraphQLEnumType({
  name: "OrderDirection",
  description: "Defines the order direction, either ascending or descending",
  values: { asc: { value: "asc" }, desc: { value: "desc" } },
});

export const BlockHeightType = new GraphQLInputObjectType({
  name: "Block_height",
  description: "The block at which the query should be executed.",
  fields: {
    hash: { type: BytesScalar, description: "Value containing a block hash" },
    number: { type: GraphQLInt, description: "Value containing a block number" },
    number_gte: {
      type: GraphQLInt,
      description:
        "Value containing the minimum block number.\nIn the case of `number_gte`, the query will be executed on the " +
        "latest block only if\nthe subgraph has progressed to or past the minimum block number.\nDefaults to the " +
        "latest block when omitted.",
    },
  },
});

const BlockChangedFilterType = new GraphQLInputObjectType({
  name: "BlockChangedFilter",
  fields: { number_gte: { type: new GraphQLNonNull(GraphQLInt) } },
});

const SubgraphErrorPolicyType = new GraphQLEnumType({
  name: "_SubgraphErrorPolicy_",
  values: {
    allow: { value: "allow", description: "Data will be returned even if the subgraph has indexing errors" },
    deny: {
      value: "deny",
      description: "If the subgraph has indexing errors, data will be omitted. The default.",
    },
  },
});

const BlockType = new GraphQLObjectType({
  name: "_Block_",
  fields: {
    hash: { type: BytesScalar, description: "The hash of the block" },
    number: { type: new GraphQLNonNull(GraphQLInt), description: "The block number" },
    timestamp: {
      type: GraphQLInt,
      description: "Integer representation of the timestamp stored in blocks for the chain",
    },
    parentHash: { type: BytesScalar, description: "The hash of the parent block" },
  },
});

const MetaType = new GraphQLObjectType({
  name: "_Meta_",
  description: "The type for the top-level _meta field",
  fields: {
    block: {
      type: new GraphQLNonNull(BlockType),
      description:
        "Information about a specific subgraph block. The hash of the block\nwill be null if the _meta field has a " +
        "block constraint that asks for\na block number. It will be filled if the _meta field has no block " +
        "constraint\nand therefore asks for the latest  block",
    },
    deployment: { type: new GraphQLNonNull(GraphQLString), description: "The deployment ID" },
    hasIndexingErrors: {
      type: new GraphQLNonNull(GraphQLBoolean),
      description: "If `true`, the subgraph encountered indexing errors at some past block",
    },
  },
});

// The directives graph-node declares in every API schema; they only describe the subgraph schema.
const SCHEMA_DIRECTIVES = [
  new GraphQLDirective({
    name: "entity",
    description:
      "Marks the GraphQL type as indexable entity.  Each type that should be an entity is required to be annotated with this directive.",
    locations: [DirectiveLocation.OBJECT],
  }),
  new GraphQLDirective({
    name: "subgraphId",
    description: "Defined a Subgraph ID for an object type",
    locations: [DirectiveLocation.OBJECT],
    args: { id: { type: new GraphQLNonNull(GraphQLString) } },
  }),
  new GraphQLDirective({
    name: "derivedFrom",
    description:
      "creates a virtual field on the entity that may be queried but cannot be set manually through the mappings API.",
    locations: [DirectiveLocation.FIELD_DEFINITION],
    args: { field: { type: new GraphQLNonNull(GraphQLString) } },
  }),
];

function blockArgument(): GraphQLArgumentConfig {
  return { type: BlockHeightType, description: BLOCK_DESCRIPTION };
}

function subgraphErrorArgument(): GraphQLArgumentConfig {
  return {
    type: new GraphQLNonNull(SubgraphErrorPolicyType),
    defaultValue: "deny",
    description: "Set to `allow` to receive data even if the subgraph has skipped over errors while syncing.",
  };
}

/** Descriptions written in the subgraph schema, which graph-node keeps in the API schema. */
function descriptions(model: SchemaModel) {
  const types = new Map<string, string | undefined>();
  const fields = new Map<string, string | undefined>();
  const enumValues = new Map<string, string | undefined>();
  for (const definition of model.document.definitions) {
    if (definition.kind === Kind.OBJECT_TYPE_DEFINITION) {
      types.set(definition.name.value, definition.description?.value);
      for (const field of definition.fields ?? []) {
        fields.set(`${definition.name.value}.${field.name.value}`, field.description?.value);
      }
    } else if (definition.kind === Kind.ENUM_TYPE_DEFINITION) {
      types.set(definition.name.value, definition.description?.value);
      for (const value of definition.values ?? []) {
        enumValues.set(`${definition.name.value}.${value.name.value}`, value.description?.value);
      }
    }
  }
  return { types, fields, enumValues };
}

export function buildApiSchema(model: SchemaModel): ApiSchema {
  const described = descriptions(model);
  const enums = new Map<string, GraphQLEnumType>();
  for (const [name, values] of model.enums) {
    enums.set(
      name,
      new GraphQLEnumType({
        name,
        description: described.types.get(name),
        values: Object.fromEntries(
          values.map((value) => [value, { value, description: described.enumValues.get(`${name}.${value}`) }]),
        ),
      }),
    );
  }

  const objectTypes = new Map<string, GraphQLObjectType>();
  const filterTypes = new Map<string, GraphQLInputObjectType>();
  const orderByTypes = new Map<string, GraphQLEnumType>();
  const entities = new Map<string, EntityApi>();

  const namedType = (field: FieldModel): GraphQLNamedType => {
    if (field.kind === "scalar") return SCALARS[field.type]!;
    if (field.kind === "enum") return enums.get(field.type)!;
    return objectTypes.get(field.type)!;
  };
  const outputType = (field: FieldModel): GraphQLOutputType => {
    let type = namedType(field) as GraphQLOutputType;
    if (field.list) {
      if (!field.itemNullable) type = new GraphQLNonNull(type);
      type = new GraphQLList(type);
    }
    return field.nullable ? type : new GraphQLNonNull(type);
  };
  const collectionArguments = (entityName: string): GraphQLFieldConfigArgumentMap => ({
    skip: { type: GraphQLInt, defaultValue: 0 },
    first: { type: GraphQLInt, defaultValue: 100 },
    orderBy: { type: orderByTypes.get(entityName)! },
    orderDirection: { type: OrderDirectionType },
    where: { type: filterTypes.get(entityName)! },
  });

  for (const entity of model.entities.values()) {
    const filters = new Map<string, FilterSpec>();
    const orderBy = new Map<string, OrderSpec>();
    objectTypes.set(
      entity.name,
      new GraphQLObjectType({
        name: entity.name,
        description: described.types.get(entity.name),
        fields: () =>
          Object.fromEntries(
            entity.fields.map((field): [string, GraphQLFieldConfig<unknown, unknown>] => [
              field.name,
              {
                type: outputType(field),
                description: described.fields.get(`${entity.name}.${field.name}`),
                args: field.kind === "entity" && field.list ? collectionArguments(field.type) : undefined,
              },
            ]),
          ),
      }),
    );

    filterTypes.set(
      entity.name,
      new GraphQLInputObjectType({
        name: `${entity.name}_filter`,
        fields: () => {
          const inputs: Record<string, GraphQLInputFieldConfig> = {};
          const add = (name: string, type: GraphQLInputType, spec: FilterSpec) => {
            inputs[name] = { type };
            filters.set(name, spec);
          };
          for (const field of entity.fields) {
            for (const [op, type] of filterOperators(field, model, namedType)) {
              add(op === "" ? field.name : `${field.name}_${op}`, type, { kind: "value", field, op });
            }
            if (field.kind === "entity") add(`${field.name}_`, filterTypes.get(field.type)!, { kind: "child", field });
          }
          add("_change_block", BlockChangedFilterType, { kind: "changeBlock" });
          add("and", new GraphQLList(filterTypes.get(entity.name)!), { kind: "and" });
          add("or", new GraphQLList(filterTypes.get(entity.name)!), { kind: "or" });
          return inputs;
        },
      }),
    );

    const orderValues: string[] = [];
    for (const field of entity.fields) {
      orderValues.push(field.name);
      orderBy.set(field.name, { field });
      // Sorting on a field of a referenced entity: one level deep, single references only, scalar or enum fields.
      if (field.kind === "entity" && !field.list) {
        for (const child of model.entities.get(field.type)!.fields) {
          if (child.list || child.kind === "entity") continue;
          const name = `${field.name}__${child.name}`;
          orderValues.push(name);
          orderBy.set(name, { field, child });
        }
      }
    }
    orderByTypes.set(
      entity.name,
      new GraphQLEnumType({
        name: `${entity.name}_orderBy`,
        values: Object.fromEntries(orderValues.map((value) => [value, { value }])),
      }),
    );
    entities.set(entity.name, { entity, objectType: objectTypes.get(entity.name)!, filters, orderBy });
  }

  const rootFields = new Map<string, RootFieldSpec>();
  const queryFields: Record<string, GraphQLFieldConfig<unknown, unknown>> = {};
  const addRoot = (name: string, config: GraphQLFieldConfig<unknown, unknown>, spec: RootFieldSpec) => {
    if (rootFields.has(name)) {
      throw new Error(`The query field \`${name}\` would be generated twice; rename one of the types or searches.`);
    }
    queryFields[name] = config;
    rootFields.set(name, spec);
  };
  for (const entity of model.entities.values()) {
    const { singular, plural } = queryFieldNames(entity.name);
    const objectType = objectTypes.get(entity.name)!;
    addRoot(
      singular,
      {
        type: objectType,
        args: {
          id: { type: new GraphQLNonNull(GraphQLID) },
          block: blockArgument(),
          subgraphError: subgraphErrorArgument(),
        },
      },
      { kind: "byId", entity },
    );
    addRoot(
      plural,
      {
        type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(objectType))),
        args: { ...collectionArguments(entity.name), block: blockArgument(), subgraphError: subgraphErrorArgument() },
      },
      { kind: "collection", entity },
    );
  }
  for (const search of model.fulltext) {
    const entity = model.entities.get(search.entity)!;
    addRoot(
      search.name,
      {
        type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(objectTypes.get(entity.name)!))),
        args: {
          text: { type: new GraphQLNonNull(GraphQLString) },
          first: { type: GraphQLInt, defaultValue: 100 },
          skip: { type: GraphQLInt, defaultValue: 0 },
          block: blockArgument(),
          where: { type: filterTypes.get(entity.name)! },
          subgraphError: subgraphErrorArgument(),
        },
      },
      { kind: "fulltext", entity, search },
    );
  }
  addRoot(
    "_meta",
    { type: MetaType, description: "Access to subgraph metadata", args: { block: { type: BlockHeightType } } },
    { kind: "meta" },
  );

  const query = new GraphQLObjectType({ name: "Query", fields: queryFields });
  const types: GraphQLNamedType[] = [
    ...objectTypes.values(),
    ...enums.values(),
    ...filterTypes.values(),
    ...orderByTypes.values(),
    BigDecimalScalar,
    BigIntScalar,
    BytesScalar,
    Int8Scalar,
    TimestampScalar,
    BlockChangedFilterType,
    BlockHeightType,
    OrderDirectionType,
    SubgraphErrorPolicyType,
  ];
  const taken = new Set(["Query", "_Meta_", "_Block_"]);
  for (const type of types) {
    if (taken.has(type.name)) {
      throw new Error(`The subgraph schema defines \`${type.name}\`, a name the query API generates itself.`);
    }
    taken.add(type.name);
  }
  const schema = new GraphQLSchema({
    query,
    types,
    directives: [...specifiedDirectives, ...SCHEMA_DIRECTIVES],
  });
  assertValidSchema(schema);
  return { schema, entities, rootFields };
}

/** The `[operator, input type]` pairs graph-node generates in `Foo_filter` for one field (child filters aside). */
function filterOperators(
  field: FieldModel,
  model: SchemaModel,
  namedType: (field: FieldModel) => GraphQLNamedType,
): [FilterOp, GraphQLInputType][] {
  if (field.derivedFrom !== undefined) return [];
  const listOf = (type: GraphQLInputType) => new GraphQLList(new GraphQLNonNull(type));
  if (field.list) {
    // References are filtered by id, passed as strings; `_nocase` only where the ids are strings.
    const itemType = field.kind === "entity" ? GraphQLString : (namedType(field) as GraphQLInputType);
    const nocase =
      field.kind === "entity" ? model.entities.get(field.type)!.idType !== "Bytes" : field.type === "String";
    return (nocase ? LIST_NOCASE_OPS : LIST_OPS).map((op) => [op, listOf(itemType)]);
  }
  if (field.kind === "enum") {
    const type = namedType(field) as GraphQLInputType;
    return ENUM_OPS.map((op) => [op, op === "in" || op === "not_in" ? listOf(type) : type]);
  }
  // A single reference is filtered by the referenced id with the String operators, whatever the id type.
  const scalar = field.kind === "entity" ? "String" : field.type;
  const type = SCALARS[scalar]!;
  return SCALAR_OPS[scalar]!.map((op) => [op, op === "in" || op === "not_in" ? listOf(type) : type]);
}
