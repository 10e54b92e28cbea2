// Deno driver: imports the package's Deno/browser entry (no permissions) and prints results.
import * as api from "../../pkg/src/bytes.mjs";
import { runConformance } from "./conformance.mjs";

console.log(JSON.stringify(await runConformance(api)));
