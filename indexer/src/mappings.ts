// The one mapping file every data source names. graph-cli compiles a mapping file once however many data sources
// share it, so the subgraph builds as one WebAssembly module (one AssemblyScript compilation instead of one per
// contract) and the graph node instantiates one module for all of them. Handler names are therefore unique across
// the subgraph: where two contracts emit the same event, the handler is named after its data source
// (handleReviewModuleContestOpened, handleTaskMarketPaymentCredited).
export * from "./executor-registry";
export * from "./task-market";
export * from "./review-module";
export * from "./attestation-module";
export * from "./optimistic-module";
export * from "./proof-module";
export * from "./panel-arbitrator";
export * from "./gated-claim";
export * from "./application-board";
export * from "./reverse-auction";
