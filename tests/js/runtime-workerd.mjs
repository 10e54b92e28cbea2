// workerd driver: a Worker whose fetch handler runs the conformance suite.
import * as emitApi from "../../pkg/src/workerd.mjs";
import * as trailApi from "../../pkg/src/trail-workerd.mjs";
const api = { ...emitApi, ...trailApi };
import { runConformance } from "./conformance.mjs";

export default {
  async fetch() {
    return Response.json(await runConformance(api));
  },
};
