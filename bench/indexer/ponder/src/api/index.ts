import { db } from "ponder:api";
import schema from "ponder:schema";
import { Hono } from "hono";
import { graphql } from "ponder";

// Ponder requires an API file; the benchmark measures only its backfill, but the GraphQL endpoint is there to look.
const app = new Hono();
app.use("/graphql", graphql({ db, schema }));

export default app;
