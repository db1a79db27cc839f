// PostgreSQL type OIDs whose text form the node parses itself, shared by the PGlite session (main thread or worker)
// and the PostgreSQL client. This file imports nothing, so the PGlite worker can load it without the main thread's
// TypeScript loader.
export const INT8 = 20;
export const INT8_ARRAY = 1016;
export const NUMERIC = 1700;
export const NUMERIC_ARRAY = 1231;
export const TEXT_ARRAY = 1009;
