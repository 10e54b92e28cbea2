// Deno driver: imports the package's Deno/browser entry (no permissions) and prints results.
import * as emitApi from "../../pkg/src/bytes.mjs";
import * as trailApi from "../../pkg/src/trail-bytes.mjs";
const api = { ...emitApi, ...trailApi };
import { runConformance } from "./conformance.mjs";

console.log(JSON.stringify(await runConformance(api)));
