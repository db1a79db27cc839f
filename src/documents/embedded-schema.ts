/**
 * The JSON Schemas a task document embeds (`input_constraints.schema`, `verification_criteria.output_schema`) are
 * written by posters, so compiling one must not change how the next one compiles.
 *
 * Ajv keeps what it compiles: every schema object stays in its cache, and `$id`s found inside a schema are recorded
 * in the instance's reference table even when `addUsedSchema` is off. One shared instance would therefore grow with
 * every request and let one poster's `$id`s affect another's `$ref`s. A fresh instance per schema avoids both, and is
 * cheap as long as it does not check schemas against the meta-schema itself (compiling the meta-schema is what makes
 * an Ajv instance slow to start): that check runs on one long-lived instance, which only ever validates schemas as
 * data and so keeps nothing of them.
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import ajvFormats from "ajv-formats";

// ajv-formats is CommonJS: under Node's ESM interop its plugin is both the module and its `default`.
const addFormats = ajvFormats.default;

/** Created on first use: an instance that checks schemas compiles the meta-schema, which takes a while to start. */
let metaSchemaChecker: Ajv2020 | undefined;

/**
 * Compiles `schema` as Ajv will when checking executors' inputs and outputs against it: draft 2020-12, strict mode
 * (unknown keywords and formats, and ambiguous or contradictory keywords, are errors), the formats of ajv-formats,
 * and no loading of remote `$ref`s. Throws Ajv's error when the schema is not valid or does not compile.
 */
export function compileEmbeddedSchema(schema: object): ValidateFunction {
  // Throws "schema is invalid: …", or "no schema with key or ref …" for a `$schema` other than draft 2020-12.
  metaSchemaChecker ??= new Ajv2020({ strict: true, logger: false });
  metaSchemaChecker.validateSchema(schema, true);
  const compiler = new Ajv2020({
    strict: true,
    allErrors: true,
    validateSchema: false,
    addUsedSchema: false,
    logger: false,
  });
  addFormats(compiler);
  return compiler.compile(schema);
}

/** Why `schema` does not compile (Ajv's message), or `undefined` if it does. */
export function embeddedSchemaError(schema: object): string | undefined {
  try {
    compileEmbeddedSchema(schema);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
