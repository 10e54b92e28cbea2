// workerd driver: a Worker whose fetch handler runs the conformance suite.
import * as api from "../../pkg/src/workerd.mjs";
import { runConformance } from "./conformance.mjs";

export default {
  async fetch() {
    return Response.json(await runConformance(api));
  },
};
