// The subgraph's GraphQL schema (`schema.graphql`) turned into the model that the store, the mapping runtime and the
// query server share: which entity types exist, what each field holds, what is derived, what is immutable and which
// full-text searches are declared. Anything in the schema that this node does not implement is an error here, at load
// time, so that a subgraph never runs with part of its schema silently ignored.
import {
  Kind,
  parse,
  type ConstDirectiveNode,
  type ConstValueNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type TypeNode,
} from "graphql";

/** The scalar types of The Graph's schema language. */
export const SCALAR_TYPES = [
  "ID",
  "String",
  "Bytes",
  "Int",
  "Int8",
  "BigInt",
  "BigDecimal",
  "Boolean",
  "Timestamp",
] as const;
export type ScalarType = (typeof SCALAR_TYPES)[number];

/** The types an entity's `id` may have; `ID` is stored and sorted as a string. */
export type IdType = "ID" | "String" | "Bytes";

export interface FieldModel {
  name: string;
  /** `scalar`: one of {@link SCALAR_TYPES}; `enum`: a schema enum; `entity`: a reference to another entity's id. */
  kind: "scalar" | "enum" | "entity";
  /** The scalar, enum or entity type name. */
  type: string;
  list: boolean;
  /** Whether the field may be null (for a list: the list itself). */
  nullable: boolean;
  /** For a list: whether its items may be null. */
  itemNullable: boolean;
  /** For `@derivedFrom(field: "x")`: the field of the referenced entity that points back here. Not stored. */
  derivedFrom?: string;
}

export interface EntityModel {
  name: string;
  immutable: boolean;
  idType: IdType;
  /** Every field in declaration order, `id` first. */
  fields: FieldModel[];
  fieldsByName: Map<string, FieldModel>;
  /** The fields with a column: every field except derived ones. */
  storedFields: FieldModel[];
}

export interface FulltextModel {
  /** The query field name, e.g. `taskSearch`. */
  name: string;
  /** A PostgreSQL text search configuration name, mapped from The Graph's language code. */
  language: string;
  algorithm: "rank" | "proximityRank";
  entity: string;
  fields: string[];
}

export interface SchemaModel {
  entities: Map<string, EntityModel>;
  enums: Map<string, string[]>;
  fulltext: FulltextModel[];
  /** The schema text as written, for the GraphQL server's introspection of descriptions. */
  document: DocumentNode;
}

/** The Graph's full-text language codes and the PostgreSQL configurations behind them. */
const FULLTEXT_LANGUAGES: Record<string, string> = {
  simple: "simple",
  da: "danish",
  nl: "dutch",
  en: "english",
  fi: "finnish",
  fr: "french",
  de: "german",
  hu: "hungarian",
  it: "italian",
  no: "norwegian",
  pt: "portuguese",
  ro: "romanian",
  ru: "russian",
  es: "spanish",
  sv: "swedish",
  tr: "turkish",
};

export class SchemaError extends Error {
  override name = "SchemaError";
}

export function parseSchema(text: string): SchemaModel {
  const document = parse(text);
  const enums = new Map<string, string[]>();
  const entityNodes = [];
  let schemaDirectives: readonly ConstDirectiveNode[] = [];

  for (const definition of document.definitions) {
    switch (definition.kind) {
      case Kind.ENUM_TYPE_DEFINITION:
        enums.set(
          definition.name.value,
          (definition.values ?? []).map((value) => value.name.value),
        );
        break;
      case Kind.OBJECT_TYPE_DEFINITION:
        if (definition.name.value === "_Schema_") {
          schemaDirectives = definition.directives ?? [];
          break;
        }
        if (!definition.directives?.some((directive) => directive.name.value === "entity")) {
          throw new SchemaError(
            `Type ${definition.name.value} has no @entity directive: every object type must be an entity.`,
          );
        }
        entityNodes.push(definition);
        break;
      default:
        throw new SchemaError(
          `Schema definition of kind ${definition.kind}${"name" in definition && definition.name ? ` (${definition.name.value})` : ""} is not supported by this graph node (interfaces, unions, inputs and scalars are not implemented).`,
        );
    }
  }

  const entityNames = new Set(entityNodes.map((node) => node.name.value));
  const entities = new Map<string, EntityModel>();
  for (const node of entityNodes) {
    const entityDirective = node.directives!.find((directive) => directive.name.value === "entity")!;
    for (const argument of entityDirective.arguments ?? []) {
      if (argument.name.value !== "immutable") {
        throw new SchemaError(
          `@entity(${argument.name.value}) on ${node.name.value} is not supported by this graph node.`,
        );
      }
    }
    const immutable = booleanArgument(entityDirective, "immutable") ?? false;
    const fields = (node.fields ?? []).map((field) => fieldModel(node.name.value, field, enums, entityNames));
    const id = fields.find((field) => field.name === "id");
    if (!id || id.list || id.nullable || !["ID", "String", "Bytes"].includes(id.type)) {
      throw new SchemaError(`Entity ${node.name.value} needs a non-null \`id\` field of type ID, String or Bytes.`);
    }
    fields.sort((a, b) => (a.name === "id" ? -1 : b.name === "id" ? 1 : 0));
    entities.set(node.name.value, {
      name: node.name.value,
      immutable,
      idType: id.type as IdType,
      fields,
      fieldsByName: new Map(fields.map((field) => [field.name, field])),
      storedFields: fields.filter((field) => field.derivedFrom === undefined),
    });
  }

  for (const entity of entities.values()) {
    for (const field of entity.fields) {
      if (field.derivedFrom === undefined) continue;
      const target = entities.get(field.type)!;
      const back = target.fieldsByName.get(field.derivedFrom);
      if (!back || back.kind !== "entity" || back.derivedFrom !== undefined) {
        throw new SchemaError(
          `${entity.name}.${field.name} is derived from ${field.type}.${field.derivedFrom}, which is not a stored reference field.`,
        );
      }
    }
  }

  const fulltext = schemaDirectives.map((directive) => fulltextModel(directive, entities));
  return { entities, enums, fulltext, document };
}

function fieldModel(
  entity: string,
  node: FieldDefinitionNode,
  enums: Map<string, string[]>,
  entityNames: Set<string>,
): FieldModel {
  if (node.arguments?.length)
    throw new SchemaError(`${entity}.${node.name.value}: fields with arguments are not supported.`);
  let type: TypeNode = node.type;
  let nullable = true;
  let list = false;
  let itemNullable = true;
  if (type.kind === Kind.NON_NULL_TYPE) {
    nullable = false;
    type = type.type;
  }
  if (type.kind === Kind.LIST_TYPE) {
    list = true;
    type = type.type;
    if (type.kind === Kind.NON_NULL_TYPE) {
      itemNullable = false;
      type = type.type;
    }
    if (type.kind === Kind.LIST_TYPE)
      throw new SchemaError(`${entity}.${node.name.value}: nested lists are not supported.`);
  }
  if (type.kind !== Kind.NAMED_TYPE) throw new SchemaError(`${entity}.${node.name.value}: unexpected type.`);
  const typeName = type.name.value;
  let kind: FieldModel["kind"];
  if ((SCALAR_TYPES as readonly string[]).includes(typeName)) kind = "scalar";
  else if (enums.has(typeName)) kind = "enum";
  else if (entityNames.has(typeName)) kind = "entity";
  else throw new SchemaError(`${entity}.${node.name.value} has unknown type ${typeName}.`);

  const field: FieldModel = { name: node.name.value, kind, type: typeName, list, nullable, itemNullable };
  for (const directive of node.directives ?? []) {
    if (directive.name.value !== "derivedFrom") {
      throw new SchemaError(`@${directive.name.value} on ${entity}.${field.name} is not supported by this graph node.`);
    }
    if (kind !== "entity") throw new SchemaError(`@derivedFrom on ${entity}.${field.name} needs an entity type.`);
    const from = stringArgument(directive, "field");
    if (!from) throw new SchemaError(`@derivedFrom on ${entity}.${field.name} needs a field argument.`);
    field.derivedFrom = from;
  }
  if (field.name === "id" && field.derivedFrom) throw new SchemaError(`${entity}.id cannot be derived.`);
  return field;
}

function fulltextModel(directive: ConstDirectiveNode, entities: Map<string, EntityModel>): FulltextModel {
  if (directive.name.value !== "fulltext") {
    throw new SchemaError(`@${directive.name.value} on _Schema_ is not supported by this graph node.`);
  }
  const name = stringArgument(directive, "name");
  const languageCode = enumOrStringArgument(directive, "language");
  const algorithm = enumOrStringArgument(directive, "algorithm");
  const include = directive.arguments?.find((argument) => argument.name.value === "include")?.value;
  if (!name || !languageCode || !algorithm || !include) {
    throw new SchemaError("@fulltext needs name, language, algorithm and include.");
  }
  const language = FULLTEXT_LANGUAGES[languageCode];
  if (!language) throw new SchemaError(`@fulltext(name: "${name}"): unknown language ${languageCode}.`);
  if (algorithm !== "rank" && algorithm !== "proximityRank") {
    throw new SchemaError(`@fulltext(name: "${name}"): unknown algorithm ${algorithm}.`);
  }
  const includes = include.kind === Kind.LIST ? include.values : [include];
  if (includes.length !== 1) {
    throw new SchemaError(`@fulltext(name: "${name}") must include exactly one entity, as graph-node requires.`);
  }
  const entityName = objectField(includes[0]!, "entity");
  const fieldList = objectFieldNode(includes[0]!, "fields");
  if (entityName?.kind !== Kind.STRING || !fieldList) throw new SchemaError(`@fulltext(name: "${name}"): bad include.`);
  const entity = entities.get(entityName.value);
  if (!entity) throw new SchemaError(`@fulltext(name: "${name}") includes unknown entity ${entityName.value}.`);
  const fieldNodes = fieldList.kind === Kind.LIST ? fieldList.values : [fieldList];
  const fields = fieldNodes.map((node) => {
    const fieldName = objectField(node, "name");
    if (fieldName?.kind !== Kind.STRING) throw new SchemaError(`@fulltext(name: "${name}"): bad field.`);
    const field = entity.fieldsByName.get(fieldName.value);
    if (!field || field.kind !== "scalar" || field.type !== "String" || field.derivedFrom) {
      throw new SchemaError(`@fulltext(name: "${name}"): ${entity.name}.${fieldName.value} is not a String field.`);
    }
    return field.name;
  });
  return { name, language, algorithm, entity: entity.name, fields };
}

function argument(directive: ConstDirectiveNode, name: string): ConstValueNode | undefined {
  return directive.arguments?.find((candidate) => candidate.name.value === name)?.value;
}

function booleanArgument(directive: ConstDirectiveNode, name: string): boolean | undefined {
  const value = argument(directive, name);
  return value?.kind === Kind.BOOLEAN ? value.value : undefined;
}

function stringArgument(directive: ConstDirectiveNode, name: string): string | undefined {
  const value = argument(directive, name);
  return value?.kind === Kind.STRING ? value.value : undefined;
}

function enumOrStringArgument(directive: ConstDirectiveNode, name: string): string | undefined {
  const value = argument(directive, name);
  return value?.kind === Kind.STRING || value?.kind === Kind.ENUM ? value.value : undefined;
}

function objectFieldNode(node: ConstValueNode, name: string): ConstValueNode | undefined {
  return node.kind === Kind.OBJECT ? node.fields.find((field) => field.name.value === name)?.value : undefined;
}

function objectField(node: ConstValueNode, name: string): ConstValueNode | undefined {
  return objectFieldNode(node, name);
}
