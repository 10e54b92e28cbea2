// The Trail tab's verifiable-trail parts: signed checkpoints and verifier keys given beside the
// trail (sent to the worker with it; the report shows the trail's tree and, per checkpoint,
// whether the trail matches it), and the "verify one event" panel (a tlog-proof, one event
// line and the keys, checked in the worker with verifyInclusionProof). Every text from a
// note, a key, a proof or the trail is shown through textContent (dom.mjs `el`), never as HTML.
import { $, el } from "./dom.mjs";

const fmt = (n) => Number(n).toLocaleString("en-US");
const plural = (n, one, many = `${one}s`) => `${fmt(n)} ${n === 1 ? one : many}`;

/** The core's reasons (src/tlog/mod.rs), in words. */
export const REASONS = {
  malformed_note: "the note is not a signed note (C2SP signed-note)",
  malformed_key: "a verifier key is malformed",
  unknown_key: "no signature from a given verifier key",
  ambiguous_key: "two different keys share a name and key ID",
  bad_signature: "a signature from a given key does not verify",
  origin_mismatch: "the origin does not match the key's name",
  malformed_checkpoint: "the note is not a checkpoint (origin, size, root)",
  malformed_proof: "the proof is not a tlog-proof (c2sp.org/tlog-proof@v1)",
  index_out_of_range: "the proof's index is not below the checkpoint's size",
  proof_length: "the proof has the wrong number of hashes for its index and size",
  root_mismatch: "the proof does not lead from this line to the checkpoint's root",
  two_histories: "same origin and size as another checkpoint, with a different root: two histories",
  trail_mismatch: "the trail's entries up to the checkpoint's size are not the ones it signed",
  trail_shorter: "the trail has fewer entries than the checkpoint: its tail was cut",
  trail_unreadable: "a line before the checkpoint's size could not be read (over the line limit)",
};
const SIGNATURE = new Set(["malformed_note", "malformed_key", "unknown_key", "ambiguous_key", "bad_signature", "origin_mismatch", "malformed_checkpoint"]);
const why = (reason, message) => REASONS[reason] ?? message ?? reason;

/** Verifier keys: one per line, blank lines skipped. */
const keysOf = (text) => text.split(/\r\n|\r|\n/).map((k) => k.trim()).filter(Boolean);

/** A pasted note keeps its bytes, but a paste often loses the final newline a note ends with. */
const noteOf = (text) => (text.endsWith("\n") ? text : `${text}\n`);

/* ---------------------------------------------------------------- checkpoints given */

let notes = []; // { label, text }
let noteSeq = 0;

function drawNotes() {
  $("t-cp-list").replaceChildren(
    ...notes.map((n, i) => {
      const first = n.text.split("\n", 1)[0];
      const remove = el("button", { type: "button", class: "t-cp-remove", textContent: "Remove", "aria-label": `Remove ${n.label}` });
      remove.addEventListener("click", () => {
        notes.splice(i, 1);
        drawNotes();
      });
      return el(
        "li",
        { class: "t-cp-item", dataset: { index: String(i) } },
        el("span", { class: "t-cp-label", textContent: n.label }),
        el("span", { class: "t-cp-origin", title: "the note's first line (its origin), not yet verified", textContent: first.length > 80 ? `${first.slice(0, 80)}…` : first }),
        remove,
      );
    }),
  );
  $("t-cp-list").hidden = notes.length === 0;
}

function addNote(text, label) {
  notes.push({ label: label || `pasted note ${++noteSeq}`, text });
  drawNotes();
}

function addKeys(list) {
  const area = $("t-keys");
  const have = new Set(keysOf(area.value));
  const fresh = list.filter((k) => !have.has(k));
  if (fresh.length) area.value = [...keysOf(area.value), ...fresh].join("\n");
}

/** A dropped or picked file: a tlog-proof goes to the proof panel, a text with a blank line
 * (a note's body and signatures) is a checkpoint, anything else is keys, one per line. */
async function addFile(file) {
  const text = await file.text();
  if (text.startsWith("c2sp.org/tlog-proof@v1\n")) {
    $("t-proof-box").open = true;
    $("t-proof-text").value = text;
    return;
  }
  if (/\n\n/.test(text.replace(/\r\n/g, "\n"))) addNote(text, file.name || undefined);
  else addKeys(keysOf(text));
}

/** What the worker needs beside the trail, or `problem` (a sentence) when it cannot run. */
export function tlogOptions() {
  const verifierKeys = keysOf($("t-keys").value);
  const allowUnchained = $("t-allow-unchained").checked;
  const given = notes.map((n) => ({ ...n }));
  if (given.length && !verifierKeys.length) return { problem: "Add the log's verifier key (one per line) to compare the trail with its checkpoints." };
  return { checkpoints: given.map((n) => n.text), labels: given.map((n) => n.label), verifierKeys: given.length ? verifierKeys : [], allowUnchained };
}

/* ---------------------------------------------------------------- the report's part */

/** The line (from 1) of the first chain failure at or before `line`, if any. */
function firstChainFailure(s, line) {
  const f = s.chain?.failures?.find((x) => !line || x.line <= line);
  return f ? f.line : null;
}

function verdict(c, s) {
  if (c.ok) return ["Matches", `The trail's first ${plural(c.size, "entry", "entries")}${c.line ? ` (through line ${fmt(c.line)})` : ""} are the ones this checkpoint signed.`];
  switch (c.reason) {
    case "trail_shorter": {
      const missing = c.size - s.tree.size;
      return ["Cut", `The checkpoint signed ${plural(c.size, "entry", "entries")}; the trail has ${fmt(s.tree.size)}: the last ${plural(missing, "entry", "entries")} signed are missing.`];
    }
    case "trail_mismatch": {
      const at = firstChainFailure(s, c.line);
      return ["Rewritten", `The trail's first ${plural(c.size, "entry", "entries")}${c.line ? ` (through line ${fmt(c.line)})` : ""} are not the ones this checkpoint signed: an entry was changed, inserted, removed or reordered${at ? `; the chain's first failure is at line ${fmt(at)}` : ", and the chain was rewritten to fit: only the checkpoint shows it"}.`];
    }
    case "two_histories":
      return ["Two histories", `Another checkpoint of ${c.origin ?? "this origin"} at size ${fmt(c.size)} signs a different root: the log's keeper signed two different trails.`];
    case "trail_unreadable":
      return ["Unreadable", why(c.reason, c.message)];
    default:
      if (SIGNATURE.has(c.reason)) return ["Signature", `Not compared with the trail: ${why(c.reason, c.message)}. Is the verifier key this log's?`];
      return ["Failed", why(c.reason, c.message)];
  }
}

/** Draw the tree and each checkpoint's result; `labels`: the names the notes had when sent. */
export function renderTree(s, labels = []) {
  const tree = s.tree;
  $("t-tree").replaceChildren(
    el("span", { textContent: `Merkle tree (RFC 6962) of the trail: ${plural(tree?.size ?? 0, "entry", "entries")}, root ` }),
    el("code", { id: "t-tree-root", class: "t-root", textContent: tree?.root ?? "" }),
  );
  $("t-tree").dataset.size = String(tree?.size ?? 0);
  const list = s.checkpoints ?? [];
  $("t-cp-none").hidden = list.length > 0;
  $("t-checkpoints").replaceChildren(
    ...list.map((c, i) => {
      const [head, text] = verdict(c, s);
      return el(
        "li",
        { class: "t-checkpoint", dataset: { ok: String(c.ok), reason: c.reason ?? "", size: String(c.size), line: c.line ? String(c.line) : "" } },
        el(
          "div",
          { class: "t-cp-head" },
          el("span", { class: "t-cp-verdict", textContent: `${c.ok ? "✓" : "✗"} ${head}` }),
          el("span", { class: "t-cp-label", textContent: labels[i] ?? `checkpoint ${i + 1}` }),
        ),
        el("p", { class: "t-cp-text", textContent: text }),
        el(
          "p",
          { class: "t-cp-facts hint" },
          c.origin !== null && c.origin !== undefined ? el("span", { class: "t-cp-origin", textContent: c.origin }) : el("span", { textContent: "origin unknown (not opened)" }),
          el("span", { textContent: ` · size ${fmt(c.size)}` }),
          c.line ? el("span", { textContent: ` · last entry on line ${fmt(c.line)}` }) : null,
          c.reason ? el("span", { class: "t-cp-reason", textContent: ` · ${c.reason}` }) : null,
        ),
      );
    }),
  );
  $("t-checkpoints").hidden = list.length === 0;
}

/** The summary card for checkpoints, or null when none were given. */
export function checkpointsCard(s, card) {
  const list = s.checkpoints ?? [];
  if (!list.length) return null;
  const good = list.filter((c) => c.ok).length;
  return card("Checkpoints", good === list.length ? `${list.length === 1 ? "matches" : `all ${list.length} match`}` : `${fmt(list.length - good)} of ${fmt(list.length)} fail`, "t-cp-card", good === list.length ? "ok" : "bad");
}

/* ---------------------------------------------------------------- one event and its proof */

async function verifyOne(ask) {
  const status = $("t-proof-status");
  const facts = $("t-proof-facts");
  facts.hidden = true;
  const set = (state, text) => {
    status.dataset.state = state;
    status.textContent = text;
  };
  const proof = $("t-proof-text").value;
  // The entry is the line without its terminator; one trailing line break from a paste is dropped.
  const entry = $("t-proof-entry").value.replace(/(\r\n|\r|\n)$/, "");
  let keys = keysOf($("t-proof-keys").value);
  const shared = !keys.length;
  if (shared) keys = keysOf($("t-keys").value);
  if (!proof.trim()) return set("error", "Paste or drop the proof (a .tlog-proof).");
  if (!entry) return set("error", "Paste the event line the proof is for.");
  if (/[\r\n]/.test(entry)) return set("error", "The event must be one line, exactly as stored (a proof covers one line).");
  if (!keys.length) return set("error", "Add the log's verifier key (one per line).");
  set("running", "Verifying…");
  const msg = await ask({ type: "proof", proof: noteOf(proof), entry, verifierKeys: keys });
  if (msg.type === "error") return set("error", `Could not verify: ${msg.message}`);
  const r = msg.result;
  status.dataset.reason = r.reason ?? "";
  if (r.ok) set("valid", `✓ Verified: this line is entry ${fmt(r.index)} of the trail signed by ${r.origin} at size ${fmt(r.size)}.`);
  else set("invalid", `✗ Not verified: ${why(r.reason)} (${r.reason}).`);
  const card = (label, value, id) => el("div", { class: "t-card" }, el("dt", { textContent: label }), el("dd", { id, textContent: value, dataset: { value: String(value) } }));
  facts.replaceChildren(
    card("Result", r.ok ? "ok" : r.reason, "t-proof-result"),
    card("Entry index", r.index ?? "–", "t-proof-index"),
    card("Tree size", r.size ?? "–", "t-proof-size"),
    card("Origin", r.origin ?? "–", "t-proof-origin"),
    card("Keys", shared ? "from the checkpoints box" : `${keys.length} given`, "t-proof-keys-used"),
  );
  facts.hidden = false;
}

/* ---------------------------------------------------------------- wiring */

function dropTarget(zone, onFiles) {
  for (const ev of ["dragenter", "dragover"]) {
    zone.addEventListener(ev, (e) => {
      e.preventDefault();
      zone.dataset.over = "true";
    });
  }
  zone.addEventListener("dragleave", () => (zone.dataset.over = "false"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    e.stopPropagation();
    zone.dataset.over = "false";
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length) onFiles(files);
  });
}

/** `ask(message)`: a Promise of the worker's answer; `recheck()`: run the last trail again. */
export function initTlog({ ask, recheck }) {
  drawNotes();
  const addAll = async (files) => {
    for (const f of files) await addFile(f);
  };
  dropTarget($("t-cp-drop"), addAll);
  $("t-cp-file").addEventListener("change", async (e) => {
    await addAll([...(e.target.files ?? [])]);
    e.target.value = "";
  });
  $("t-cp-add").addEventListener("click", () => {
    const text = $("t-cp-paste").value;
    const msg = $("t-cp-paste-msg");
    if (!text.trim()) {
      msg.textContent = "Paste one signed note first.";
      return;
    }
    addNote(noteOf(text));
    $("t-cp-paste").value = "";
    msg.textContent = `Added (${plural(notes.length, "checkpoint")}). Paste another to compare more than one.`;
  });
  $("t-recheck").addEventListener("click", recheck);

  const setProof = async (file) => {
    const text = await file.text();
    // A proof file, or (dropped on the panel) the event's own one-line file.
    if (text.startsWith("c2sp.org/tlog-proof@v1")) $("t-proof-text").value = text;
    else $("t-proof-entry").value = text.replace(/(\r\n|\r|\n)$/, "");
  };
  dropTarget($("t-proof-drop"), async (files) => {
    for (const f of files) await setProof(f);
  });
  $("t-proof-file").addEventListener("change", async (e) => {
    const f = e.target.files?.[0];
    if (f) await setProof(f);
    e.target.value = "";
  });
  $("t-proof-run").addEventListener("click", () => verifyOne(ask));
}
