// DOM helpers shared by the playground's views (app.js, trail.js).

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** A new element: `props` set as properties (or attributes when not one), `class` and
 * `dataset` as such; children appended, null and undefined skipped. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k in node) node[k] = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}
