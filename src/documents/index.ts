/**
 * The task document library: its schema and types, strict validation, and the canonical form, commitment hash and
 * content address that `POST /tasks` derives from a valid document.
 */
export * from "./task-document-schema.ts";
export * from "./validate-task-document.ts";
export * from "./task-document-commitment.ts";
export { compileEmbeddedSchema, embeddedSchemaError } from "./embedded-schema.ts";
