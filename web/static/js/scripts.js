// Script editor: upload (POST /api/scripts as YAML), problems shown beside the lines they are about, and a
// preview that walks the script with a sample contact (server-side, exactly as a call would).
import { api, h, humanize, pageData, show, typingInField } from "./api.js";
import { choiceButtons } from "./steps.js";

const data = pageData();
const $ = (id) => document.getElementById(id);
const source = $("source");
let events = [];

function sampleContact() {
  const contact = { first_name: $("p-first").value, last_name: $("p-last").value, fields: {} };
  for (const line of $("p-fields").value.split("\n")) {
    const at = line.indexOf(":");
    if (at > 0) contact.fields[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return contact;
}

async function withLines(details) {
  if (details.some((d) => typeof d.line === "number")) return details;
  try {
    const { lines } = await api("POST", "/scripts/lines", { source: source.value, paths: details });
    return details.map((d) => ({ ...d, line: lines[d.path] ?? null }));
  } catch {
    return details;
  }
}

function annotate(problems, kind) {
  const box = $("annotated");
  if (!problems.length) {
    box.replaceChildren();
    show(box, false);
    return;
  }
  const byLine = new Map();
  for (const p of problems) {
    const key = p.line ?? 0;
    if (!byLine.has(key)) byLine.set(key, []);
    byLine.get(key).push(p);
  }
  const rows = [];
  const general = byLine.get(0) || [];
  for (const p of general) rows.push(h("li", { class: `problem ${p.severity === "warning" ? "warning" : kind}` }, h("span", { class: "where", text: p.path || "document" }), " ", p.message));
  const lines = source.value.split("\n");
  lines.forEach((text, i) => {
    const here = byLine.get(i + 1);
    const lineKind = here && here.every((p) => p.severity === "warning") ? "warning" : kind;
    rows.push(h("li", { class: here ? `line bad ${lineKind}` : "line", "data-line": i + 1 },
      h("span", { class: "ln", text: i + 1 }), h("code", { text: text || " " }),
      here ? h("span", { class: "msg" }, ...here.map((p) => h("span", { class: "problem-msg", text: `${p.path}: ${p.message}` }))) : null));
  });
  box.replaceChildren(h("ol", { class: "source-lines", "aria-label": "Script with problems marked" }, ...rows));
  show(box, true);
  box.querySelector(".bad")?.scrollIntoView({ block: "nearest" });
}

function summary(problems, kind) {
  const list = h("ul", { class: "problem-list" }, ...problems.map((p) => h("li", { class: kind },
    p.line ? `Line ${p.line}: ` : "", h("code", { text: p.path || "document" }), ` ${p.message}`)));
  return list;
}

async function upload() {
  const status = $("problems-summary");
  status.replaceChildren("Uploading…");
  try {
    const r = await api("POST", "/api/scripts", source.value, { contentType: "application/yaml" });
    const warnings = await withLines(r.warnings || []);
    status.replaceChildren(h("strong", { class: "ok", text: `Saved script "${r.id}", version ${r.version}.` }),
      warnings.length ? summary(warnings, "warning") : "");
    annotate(warnings, "warning");
    $("load-id").value = r.id;
  } catch (err) {
    const problems = await withLines(err.details || []);
    status.replaceChildren(h("strong", { class: "form-error", text: err.message }),
      summary(problems, "error"));
    annotate(problems, "error");
  }
}

async function load() {
  const file = $("load-file").files[0];
  if (file) {
    source.value = await file.text();
    return;
  }
  const id = $("load-id").value.trim();
  if (!id) {
    $("problems-summary").textContent = "Type the id of an uploaded script, or choose a file.";
    $("load-id").focus();
    return;
  }
  try {
    const doc = await api("GET", `/api/scripts/${encodeURIComponent(id)}`);
    delete doc.version;
    source.value = JSON.stringify(doc, null, 2); // JSON is YAML: it uploads as it is
    // Checked at once: a version stored before a check was added may trap volunteers (said as warnings).
    events = [];
    await walk();
  } catch (err) {
    $("problems-summary").textContent = err.message;
  }
}

async function walk() {
  const box = $("walk");
  try {
    const r = await api("POST", "/scripts/preview", { source: source.value, contact: sampleContact(), events });
    if (!events.length) {
      // Warnings (an unreachable step, ...) are what the upload will say too: never "No problems found" then.
      const warnings = r.warnings || [];
      const traps = warnings.filter((w) => w.later_check).length; // a stored version the newer checks refuse
      const said = traps
        ? `This version was uploaded before the checks that find ${traps === 1 ? "this trap" : "these traps"}: volunteers calling with it can be caught. Upload a fixed version. ${warnings.length === 1 ? "1 warning" : `${warnings.length} warnings`}:`
        : `No errors; ${warnings.length === 1 ? "1 warning" : `${warnings.length} warnings`} to look at before volunteers call.`;
      $("problems-summary").replaceChildren(warnings.length
        ? h("strong", { class: "warning", text: said })
        : "No problems found.", warnings.length ? summary(warnings, "warning") : "");
      annotate(warnings, "warning");
    }
    const back = h("button", { type: "button", onclick: () => { events.push({ back: true }); walk(); } }, "Back");
    const restart = h("button", { type: "button", onclick: () => { events = []; walk(); } }, "Start over");
    if (r.type === "done") {
      box.replaceChildren(h("p", {}, "Result: ", h("strong", { text: humanize(r.result) })),
        h("pre", { class: "answers", text: JSON.stringify(r.answers, null, 2) }), h("p", {}, back, " ", restart));
      return;
    }
    const s = r.step;
    const buttons = choiceButtons(s, (answer) => {
      events.push({ step: s.id, ...answer });
      walk();
    });
    let form = null;
    if (s.input) {
      const input = h("input", { id: "p-input", type: "text", inputmode: s.input === "number" ? "numeric" : "text" });
      form = h("form", { class: "input-form", onsubmit: (e) => {
        e.preventDefault();
        const v = s.input === "number" ? Number(input.value) : input.value;
        events.push({ step: s.id, value: v });
        walk();
      } }, h("label", { for: "p-input", text: "Their answer" }), input, h("button", { type: "submit", text: "Next" }));
    }
    box.replaceChildren(h("p", { class: "muted", text: `Step: ${s.id}` }), h("p", { class: "step-text", text: s.text }),
      h("div", { class: "choices" }, ...buttons), ...(form ? [form] : []), h("p", {}, events.length ? back : null, " ", restart));
    (form ? form.querySelector("input") : buttons[0])?.focus();
  } catch (err) {
    if (err.code === "invalid_script") {
      const problems = await withLines(err.details || []);
      const warnings = problems.filter((p) => p.severity === "warning");
      const errors = problems.filter((p) => p.severity !== "warning");
      $("problems-summary").replaceChildren(h("strong", { class: "form-error", text: err.message }), summary(errors, "error"),
        warnings.length ? summary(warnings, "warning") : "");
      annotate(problems, "error");
      box.replaceChildren(h("p", { class: "muted", text: "Fix the problems to preview the script." }));
    } else {
      events.pop();
      box.prepend(h("p", { class: "form-error", text: err.message }));
    }
  }
}

$("upload-btn").addEventListener("click", upload);
$("preview-btn").addEventListener("click", () => { events = []; walk(); });
$("load-btn").addEventListener("click", load);
document.addEventListener("keydown", (event) => {
  if (typingInField(event) || !/^[1-9]$/.test(event.key)) return;
  const button = $("walk").querySelector(`button[data-index="${Number(event.key) - 1}"]`);
  if (button) button.click();
});
if (data.script_id) load();
