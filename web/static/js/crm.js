// The CRM page: the connection form, the mapping tables (one select per result and per answer), the
// unmapped list and the sync ledger. Every change goes through /api/campaigns/{id}/crm.
import { api, h, pageData } from "./api.js";

const { campaign } = pageData();
const base = `/api/campaigns/${encodeURIComponent(campaign.id)}/crm`;
const $ = (id) => document.getElementById(id);
let view = null; // GET .../mapping

function say(id, text, bad = false) {
  const node = $(id);
  node.textContent = text;
  node.classList.toggle("form-error", bad);
}

function showKind() {
  const van = $("kind").value === "van";
  document.querySelectorAll(".van-only").forEach((n) => (n.hidden = !van));
  document.querySelectorAll(".osdi-only").forEach((n) => (n.hidden = van));
}

function describe(c) {
  if (!c) return "Not linked to a CRM.";
  const who = c.kind === "van" ? `VAN · ${c.app_name} · ${c.mode === "my_campaign" ? "MyCampaign" : "MyVoters"}` : `OSDI · ${c.base_url}`;
  const key = c.key_hint ? ` · key …${c.key_hint}` : "";
  const check = c.check ? ` · last check: ${c.check.ok ? "working" : "failed"} (${c.check.message})` : "";
  return `Linked: ${who}${key} · up to ${c.rate} requests a second${check}`;
}

async function loadConnection() {
  const { connection } = await api("GET", base);
  say("conn-now", describe(connection));
  if (connection) {
    $("kind").value = connection.kind;
    $("rate").value = connection.rate;
    if (connection.kind === "van") {
      $("app_name").value = connection.app_name;
      $("mode").value = connection.mode;
    } else $("base_url").value = connection.base_url;
  }
  showKind();
  return connection;
}

async function saveConnection(event) {
  event.preventDefault();
  const body = { kind: $("kind").value, rate: Number($("rate").value) };
  if (body.kind === "van") Object.assign(body, { app_name: $("app_name").value, api_key: $("api_key").value, mode: $("mode").value });
  else Object.assign(body, { base_url: $("base_url").value, api_token: $("api_token").value });
  try {
    await api("PUT", base, body);
    $("api_key").value = $("api_token").value = "";
    say("conn-status", "Saved. The key is kept encrypted and will not be shown again.");
    await loadConnection();
  } catch (err) {
    say("conn-status", [err.message, ...err.details.map((d) => `${d.path}: ${d.message}`)].join(" "), true);
  }
}

async function check() {
  try {
    const r = await api("POST", `${base}/check`);
    say("conn-status", r.ok ? `Working: ${r.message}` : `Not working: ${r.message}`, !r.ok);
    await loadConnection();
  } catch (err) {
    say("conn-status", err.message, true);
  }
}

async function removeConnection() {
  try {
    await api("DELETE", base);
    say("conn-status", "Removed: nothing more is sent. The ledger and the mapping are kept.");
    await loadConnection();
  } catch (err) {
    say("conn-status", err.message, true);
  }
}

function options(kind) {
  // kind: "result" or "answer"; each option's value is the target as JSON.
  const c = view?.catalog;
  const opts = [h("option", { value: "" }, "— not mapped —"), h("option", { value: '{"type":"none"}' }, "Send nothing")];
  if (kind === "result") opts.push(h("option", { value: '{"type":"answers"}' }, "A conversation: send the answers"));
  if (!c) return opts;
  if (kind === "result") {
    opts.push(h("optgroup", { label: "Result codes" }, c.result_codes.map((r) => h("option", { value: JSON.stringify({ type: "result_code", id: r.id }) }, r.name))));
  } else {
    for (const q of c.survey_questions) {
      opts.push(h("optgroup", { label: `Survey question: ${q.name}` },
        q.responses.map((r) => h("option", { value: JSON.stringify({ type: "survey_response", question: q.id, response: r.id }) }, `${q.name}: ${r.name}`))));
    }
    opts.push(h("optgroup", { label: "Activist codes" }, c.activist_codes.map((a) => h("option", { value: JSON.stringify({ type: "activist_code", id: a.id }) }, a.name))));
  }
  return opts;
}

function select(kind, current, label) {
  const node = h("select", { "aria-label": label }, options(kind));
  node.value = current ? JSON.stringify(current) : "";
  if (node.value === "" && current) node.value = ""; // a target the loaded codes no longer have
  node.addEventListener("change", () => renderUnmapped(collect()));
  return node;
}

function renderMapping() {
  const m = view.mapping || { results: {}, answers: {} };
  $("map-version").textContent = `· script ${view.script_id}, version ${view.script_version}`;
  $("results-map").tBodies[0].replaceChildren(
    ...view.results.map((code) => h("tr", { "data-result": code }, h("th", { scope: "row" }, code.replace(/_/g, " ")), h("td", {}, select("result", m.results[code], `CRM target for ${code}`)))));
  const rows = [];
  for (const q of view.questions) {
    for (const value of q.values) {
      rows.push(h("tr", { "data-question": q.key, "data-value": value }, h("th", { scope: "row" }, q.key), h("td", {}, value),
        h("td", {}, select("answer", m.answers[q.key]?.[value], `CRM target for ${q.key} = ${value}`))));
    }
  }
  $("answers-map").tBodies[0].replaceChildren(...rows);
  $("free").textContent = view.free_questions.length ? `Typed answers are never sent: ${view.free_questions.join(", ")}.` : "";
  renderUnmapped(collect());
}

function collect() {
  const doc = { results: {}, answers: {} };
  for (const tr of $("results-map").tBodies[0].rows) {
    const v = tr.querySelector("select").value;
    if (v) doc.results[tr.dataset.result] = JSON.parse(v);
  }
  for (const tr of $("answers-map").tBodies[0].rows) {
    const v = tr.querySelector("select").value;
    if (v) (doc.answers[tr.dataset.question] ||= {})[tr.dataset.value] = JSON.parse(v);
  }
  return doc;
}

function renderUnmapped(doc) {
  const left = [];
  for (const code of view.results) if (!doc.results[code]) left.push(`result “${code.replace(/_/g, " ")}”`);
  for (const q of view.questions) for (const v of q.values) if (!doc.answers[q.key]?.[v]) left.push(`${q.key} = “${v}”`);
  $("unmapped-count").textContent = String(left.length);
  $("unmapped").replaceChildren(...left.map((t) => h("li", {}, t)));
}

async function loadMapping() {
  view = await api("GET", `${base}/mapping`);
  say("catalog-status", view.catalog ? "" : "Load the CRM's codes to map to them.");
  renderMapping();
}

async function loadCatalog() {
  say("catalog-status", "Loading…");
  try {
    const r = await api("POST", `${base}/catalog`);
    const kept = collect();
    await loadMapping();
    view.mapping = { ...(view.mapping || {}), ...kept };
    renderMapping();
    say("catalog-status", `Loaded ${r.catalog.survey_questions.length} survey questions, ${r.catalog.result_codes.length} result codes, ${r.catalog.activist_codes.length} activist codes.`);
  } catch (err) {
    say("catalog-status", err.message, true);
  }
}

async function saveMapping() {
  try {
    const r = await api("PUT", `${base}/mapping/${view.script_version}`, collect());
    say("map-status", `Saved for version ${view.script_version}; ${r.unmapped.length} left unmapped.`);
  } catch (err) {
    say("map-status", [err.message, ...err.details.map((d) => `${d.path}: ${d.message}`)].join(" "), true);
  }
}

async function loadLedger() {
  const all = await api("GET", `${base}/ledger`);
  const c = all.counts;
  $("ledger-counts").textContent = `${all.results} results: ${c.sent} sent, ${c.skipped} not sent (mapped to nothing), ${c.failed} failed, ${c.pending + c.sending + all.waiting} on their way.`;
  const failed = await api("GET", `${base}/ledger?status=failed`);
  $("ledger").tBodies[0].replaceChildren(...(failed.entries.length ? failed.entries.map((e) =>
    h("tr", {}, h("td", {}, e.external_id || "—"), h("td", {}, e.result), h("td", {}, e.recorded_at ? new Date(e.recorded_at).toLocaleString() : ""), h("td", {}, e.message),
      h("td", {}, h("button", { type: "button", onclick: () => retry([e.entry_id]) }, "Retry")))) : [h("tr", {}, h("td", { colspan: 5 }, "Nothing failed."))]));
}

async function retry(ids) {
  await api("POST", `${base}/retry`, ids ? { entry_ids: ids } : { all_failed: true });
  await loadLedger();
}

$("kind").addEventListener("change", showKind);
$("conn-form").addEventListener("submit", saveConnection);
$("conn-check").addEventListener("click", check);
$("conn-remove").addEventListener("click", removeConnection);
$("catalog-btn").addEventListener("click", loadCatalog);
$("map-save").addEventListener("click", saveMapping);
$("retry-all").addEventListener("click", () => retry(null));
$("ledger-refresh").addEventListener("click", loadLedger);

try {
  await loadConnection();
  await loadMapping();
  await loadLedger();
} catch (err) {
  $("notice").hidden = false;
  $("notice").textContent = err.message;
}
