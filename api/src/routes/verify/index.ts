// Verification API: verify a submission and sign its attestation, read a verification record, prepare the optimistic
// challenge of a verified submission, and list the methods. `/verify/methods` is registered before `/verify/{id}`, so
// that "methods" is never taken for an id.
import type { ApiApp } from "../../app.ts";
import type { ApiServices } from "../../services.ts";
import { registerChallengeRoute } from "./challenge.ts";
import { registerVerificationMethodsRoute } from "./methods.ts";
import { registerVerificationReadRoute } from "./read.ts";
import { registerVerifyRoute } from "./verify.ts";

export function registerVerificationRoutes(app: ApiApp, services: ApiServices): void {
  registerVerificationMethodsRoute(app, services);
  registerVerifyRoute(app, services);
  registerVerificationReadRoute(app, services);
  registerChallengeRoute(app, services);
}
