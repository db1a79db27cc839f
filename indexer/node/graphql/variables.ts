// Variables cost: a subgraph's filter input types are wide (`Task_filter` has hundreds of fields, one per operator and
// field), and graphql-js coerces an input object by walking every field its type defines, whatever the value holds.
// A `where` with a few filter objects in it then costs more than the SQL it turns into, and graphql-js's `execute`
// coerces every variable a second time. Two things here keep that cost to what a value holds:
//
// - `coerceVariables` coerces the way graphql-js does, visiting only the fields a value gives. It returns exactly
//   what graphql-js's `getVariableValues` returns for the same input, and gives up (returns undefined) on anything
//   that needs more than that, in which case the caller asks graphql-js, whose answer and error messages are the
//   reference.
// - `executionDocument` drops, for the response shaping pass, the variables of input object types that are only ever
//   given whole as an argument (`where: $where`, `block: $block`), and those arguments. Shaping reads what was fetched
//   and never looks at field arguments; everything else (`@skip`, `@include`, other variables) is kept.
import {
  Kind,
  isEnumType,
  isInputObjectType,
  isInputType,
  isListType,
  isNonNullType,
  isScalarType,
  typeFromAST,
  visit,
  type ArgumentNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type VariableDefinitionNode,
} from "graphql";

/** What the coercion of one value gave up on: the caller falls back to graphql-js. */
const UNSURE: unique symbol = Symbol("unsure");
type Coerced = unknown | typeof UNSURE;

interface InputObjectInfo {
  /** Each field's position in the type's definition: graphql-js builds a coerced object in that order. */
  position: Map<string, number>;
  /** Fields that matter when absent: those with a default value or a non-null type. */
  absentMatters: { name: string; position: number; defaultValue: unknown; nonNull: boolean }[];
  /** A field named like a property every object inherits, which graphql-js would read from the prototype. */
  shadowsPrototype: boolean;
}

const inputObjectInfo = new WeakMap<GraphQLInputObjectType, InputObjectInfo>();

function infoOf(type: GraphQLInputObjectType): InputObjectInfo {
  let info = inputObjectInfo.get(type);
  if (info) return info;
  const fields = Object.values(type.getFields());
  info = {
    position: new Map(fields.map((field, index) => [field.name, index])),
    absentMatters: fields.flatMap((field, position) =>
      field.defaultValue !== undefined || isNonNullType(field.type)
        ? [{ name: field.name, position, defaultValue: field.defaultValue, nonNull: isNonNullType(field.type) }]
        : [],
    ),
    shadowsPrototype: fields.some((field) => field.name in Object.prototype),
  };
  inputObjectInfo.set(type, info);
  return info;
}

/** graphql-js's `coerceInputValue` for a value it accepts; {@link UNSURE} for anything else. */
function coerceValue(value: unknown, type: GraphQLInputType): Coerced {
  if (isNonNullType(type)) return value == null ? UNSURE : coerceValue(value, type.ofType);
  if (value == null) return null;
  if (isListType(type)) {
    // graphql-js takes any iterable object as a list and a single value as a list of one.
    if (!Array.isArray(value)) {
      if (typeof value === "object") return UNSURE;
      const item = coerceValue(value, type.ofType);
      return item === UNSURE ? UNSURE : [item];
    }
    const items: unknown[] = new Array(value.length);
    for (let index = 0; index < value.length; index++) {
      const item = coerceValue(value[index], type.ofType);
      if (item === UNSURE) return UNSURE;
      items[index] = item;
    }
    return items;
  }
  if (isInputObjectType(type)) {
    if (typeof value !== "object" || Array.isArray(value) || type.isOneOf) return UNSURE;
    const info = infoOf(type);
    if (info.shadowsPrototype) return UNSURE;
    const fields = type.getFields();
    const given: { position: number; name: string; value: unknown }[] = [];
    const record = value as Record<string, unknown>;
    for (const name of Object.keys(record)) {
      const position = info.position.get(name);
      if (position === undefined) return UNSURE;
      const fieldValue = record[name];
      if (fieldValue === undefined) continue;
      const coerced = coerceValue(fieldValue, fields[name]!.type);
      if (coerced === UNSURE) return UNSURE;
      given.push({ position, name, value: coerced });
    }
    for (const field of info.absentMatters) {
      if (record[field.name] !== undefined) continue;
      if (field.defaultValue === undefined) return UNSURE;
      given.push({ position: field.position, name: field.name, value: field.defaultValue });
    }
    given.sort((a, b) => a.position - b.position);
    const coerced: Record<string, unknown> = {};
    for (const field of given) coerced[field.name] = field.value;
    return coerced;
  }
  if (isEnumType(type) || isScalarType(type)) {
    let parsed: unknown;
    try {
      parsed = type.parseValue(value);
    } catch {
      return UNSURE;
    }
    return parsed === undefined ? UNSURE : parsed;
  }
  return UNSURE;
}

/**
 * The operation's variables coerced as graphql-js's `getVariableValues` coerces them, or undefined when that needs
 * graphql-js itself: an error to report, a default value to evaluate, an unusual input.
 */
export function coerceVariables(
  schema: GraphQLSchema,
  definitions: readonly VariableDefinitionNode[],
  inputs: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const coerced: Record<string, unknown> = {};
  for (const definition of definitions) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type);
    if (type === undefined || !isInputType(type)) return undefined;
    if (!Object.hasOwn(inputs, name)) {
      if (definition.defaultValue !== undefined || isNonNullType(type)) return undefined;
      continue;
    }
    const value = coerceValue(inputs[name], type);
    if (value === UNSURE) return undefined;
    coerced[name] = value;
  }
  return coerced;
}

/**
 * The document graphql-js executes to shape the response of `operation`: the operation and the fragments, without
 * the variables of input object types that are only given whole as arguments, and without those arguments.
 */
export function executionDocument(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): DocumentNode {
  const inputObjectVariables = new Set(
    (operation.variableDefinitions ?? [])
      .filter((definition) => {
        let type = definition.type;
        while (type.kind !== Kind.NAMED_TYPE) type = type.type;
        return isInputObjectType(schema.getType(type.name.value));
      })
      .map((definition) => definition.variable.name.value),
  );
  if (inputObjectVariables.size === 0) return document;
  const wholeArguments = new Set<ArgumentNode>();
  const definitions = document.definitions.filter(
    (definition): definition is OperationDefinitionNode | FragmentDefinitionNode =>
      definition === operation || definition.kind === Kind.FRAGMENT_DEFINITION,
  );
  // A variable used anywhere but as a whole argument value (inside a list or an object) is kept.
  visit(
    { kind: Kind.DOCUMENT, definitions },
    {
      Argument(node) {
        if (node.value.kind === Kind.VARIABLE && inputObjectVariables.has(node.value.name.value)) {
          wholeArguments.add(node);
          return false;
        }
        return undefined;
      },
      Variable(node, _key, parent) {
        if ((parent as { kind?: string } | undefined)?.kind !== Kind.VARIABLE_DEFINITION) {
          inputObjectVariables.delete(node.name.value);
        }
      },
    },
  );
  if (inputObjectVariables.size === 0) return document;
  return visit(
    { kind: Kind.DOCUMENT, definitions },
    {
      VariableDefinition: (node) => (inputObjectVariables.has(node.variable.name.value) ? null : undefined),
      Argument: (node) =>
        wholeArguments.has(node) && inputObjectVariables.has((node.value as { name: { value: string } }).name.value)
          ? null
          : undefined,
    },
  );
}
