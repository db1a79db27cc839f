// Static limits on a query, checked after validation and before anything is read:
// - depth: nested selection sets, fragments counting as a level (graph-node's `TooDeep`, same message);
// - selections: fields once fragments are expanded, so that a small document cannot expand into a huge one;
// - complexity (optional, as in graph-node): the number of entities a query could return, each collection counting
//   its literal `first` (100 when absent or given by a variable) times what it selects (graph-node's `TooComplex`).
import {
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

import { QueryError } from "./errors.ts";

export interface QueryLimits {
  /** Nested selection sets (graph-node's `GRAPH_GRAPHQL_MAX_DEPTH`). */
  maxDepth: number;
  /** Field selections after fragments are expanded. */
  maxSelections: number;
  /** graph-node's `GRAPH_GRAPHQL_MAX_COMPLEXITY`; unlimited when undefined, as in graph-node by default. */
  maxComplexity: number | undefined;
}

const DEFAULT_FIRST = 100;

export function checkLimits(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  limits: QueryLimits,
): void {
  let selections = 0;

  const visit = (type: GraphQLNamedType, selectionSet: SelectionSetNode, depth: number, root: boolean): number => {
    if (depth >= limits.maxDepth) {
      throw new QueryError(`query has a depth that exceeds the limit of \`${limits.maxDepth}\``);
    }
    let total = 0;
    for (const selection of selectionSet.selections) {
      let complexity = 0;
      if (selection.kind === Kind.FIELD) {
        selections += 1;
        if (selections > limits.maxSelections) {
          throw new QueryError(
            `query selects more than \`${limits.maxSelections}\` fields once its fragments are expanded, which exceeds the limit of this node`,
          );
        }
        if (!selection.selectionSet) continue;
        const name = selection.name.value;
        const introspection = root && (name === "__schema" || name === "__type");
        const definition: GraphQLField<unknown, unknown> | undefined = introspection
          ? name === "__schema"
            ? SchemaMetaFieldDef
            : TypeMetaFieldDef
          : isObjectType(type)
            ? type.getFields()[name]
            : undefined;
        if (!definition) continue;
        const inner = visit(getNamedType(definition.type), selection.selectionSet, depth + 1, false);
        // Introspection answers from the schema, never from the store: it does not count towards complexity.
        if (introspection) continue;
        if (isListType(getNullableType(definition.type))) {
          const first = selection.arguments?.find((argument) => argument.name.value === "first")?.value;
          const count = first?.kind === Kind.INT ? Math.max(0, Number(first.value)) : DEFAULT_FIRST;
          complexity = count + count * inner;
        } else {
          complexity = inner;
        }
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment) continue;
        const fragmentType = schema.getType(fragment.typeCondition.name.value) ?? type;
        complexity = visit(fragmentType, fragment.selectionSet, depth + 1, root);
      } else {
        const fragmentType = selection.typeCondition
          ? (schema.getType(selection.typeCondition.name.value) ?? type)
          : type;
        complexity = visit(fragmentType, selection.selectionSet, depth + 1, root);
      }
      total += complexity;
    }
    return total;
  };

  const queryType = schema.getQueryType()!;
  const complexity = visit(queryType, operation.selectionSet, 0, true);
  if (limits.maxComplexity !== undefined && complexity > limits.maxComplexity) {
    const shown = Number.isFinite(complexity) && complexity <= Number.MAX_SAFE_INTEGER ? String(complexity) : "∞";
    throw new QueryError(
      `query potentially returns \`${shown}\` entities or more and thereby exceeds the limit of ` +
        `\`${limits.maxComplexity}\` entities. Possible solutions are reducing the depth of the query, querying ` +
        `fewer relationships or using \`first\` to return smaller collections`,
    );
  }
}
