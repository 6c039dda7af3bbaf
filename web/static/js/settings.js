// Campaign settings (create or PATCH), call-list and do-not-call uploads with their reports.
import { api, displayPhone, h, pageData, show, whileBusy } from "./api.js";
import { callerIdPool, e164 } from "./caller_ids.js";
import { rowList } from "./row_list.js";
import { dncReport, importReport } from "./import_report.js";

const data = pageData();
const $ = (id) => document.getElementById(id);
const form = $("campaign-form");
const pool = callerIdPool($("caller-id-pool"), $("caller-id-add"), data.campaign?.caller_ids);
const targets = rowList($("transfer-targets"), $("transfer-add"), {
  path: "transfer_targets",
  label: "Transfer target",
  parts: [["name", "Name", "text", "Rides desk"], ["phone", "Phone", "tel", "(202) 555-0150"]],
  initial: (data.campaign?.transfer_targets || []).map((t) => ({ name: t.name, phone: displayPhone(t.phone) })),
});

function value(input) {
  const type = input.dataset.type;
  if (type === "bool") return input.checked;
  if (type === "tel-or-null") return input.value.trim() ? e164(input.value.trim()) : null;
  if (input.type === "tel") return e164(input.value.trim());
  const raw = input.value.trim();
  if (type === "int-or-null") return raw === "" ? null : Number.parseInt(raw, 10);
  if (type === "int") return Number.parseInt(raw, 10);
  if (type === "float") return Number.parseFloat(raw);
  // The form shows the abandonment cap in percent (3); the API takes a fraction (0.03).
  if (type === "percent") return raw === "" ? Number.NaN : Number((Number.parseFloat(raw) / 100).toFixed(6));
  return raw;
}

function collect() {
  const body = {};
  for (const input of form.querySelectorAll("input[name], select[name]")) {
    if (input.dataset.type === "method") continue; // one list from the ticked boxes, below
    const v = value(input);
    if (data.new && (v === "" || v === null)) continue;
    const [head, tail] = input.name.split(".");
    if (tail) (body[head] ??= {})[tail] = v;
    else body[head] = v;
  }
  // The ways volunteers connect, in the form's order (the campaign's order of preference).
  body.calling_method = [...form.querySelectorAll("input[data-type=method]:checked")].map((box) => box.value);
  const numbers = pool.collect();
  if (!data.new || numbers.length) body.caller_ids = numbers;
  const staff = targets.collect().map((t) => ({ name: t.name, phone: e164(t.phone) }));
  if (!data.new || staff.length) body.transfer_targets = staff;
  return body;
}

// The Advanced heading says what its hidden settings are, so nobody is surprised by one they never saw.
function advancedSummary() {
  const v = (id) => $(id).value.trim() || "?";
  const zone = $("f-tz").selectedOptions[0]?.value || "?";
  $("advanced-summary").textContent = `Up to ${v("f-max_attempts")} calls per voter, ${v("f-retry_minutes")} minutes apart; `
    + `${v("f-batch_size")} names per list, kept ${v("f-lease_seconds")} seconds; abandoned calls at most `
    + `${v("f-abandon_cap")}%; unknown time zones: ${zone}.`;
}

function clearErrors() {
  for (const node of form.querySelectorAll(".field-error")) node.remove();
  for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
  for (const node of form.querySelectorAll(".field.invalid")) node.classList.remove("invalid");
  for (const node of form.querySelectorAll("[data-error-for]")) {
    const ids = (node.getAttribute("aria-describedby") || "").split(" ").filter((id) => !id.startsWith("err-"));
    node.setAttribute("aria-describedby", ids.join(" "));
    node.removeAttribute("data-error-for");
  }
  show($("form-error"), false);
}

// What to do about a missing field, said for the three a new campaign cannot do without; the API's bare
// "required" told an organizer nothing about what to put there.
const REQUIRED = {
  name: "give the campaign a name; volunteers see it in their list.",
  script_id: "choose the script volunteers read (upload one with the link below if the list is empty).",
  caller_id: "enter the number voters see when you call, one your calling account owns: (202) 555-0100.",
};

// The message under a field names it, as the sign-up form does ("Script: choose the script ...").
function fieldMessage(field, path, message) {
  const label = field.querySelector("label, legend")?.firstChild?.textContent.trim();
  const said = message === "required" && REQUIRED[path] ? REQUIRED[path] : message;
  return label ? `${label}: ${said}` : said;
}

function showErrors(err) {
  const leftover = [];
  for (const d of err.details || []) {
    const path = String(d.path ?? "");
    // caller_ids[0].states[1] shows beside caller_ids[0].states; unknown paths beside their top field.
    const field = form.querySelector(`.field[data-path="${CSS.escape(path)}"]`)
      || form.querySelector(`.field[data-path="${CSS.escape(path.replace(/\[\d+\]$/, ""))}"]`)
      || form.querySelector(`.field[data-path="${CSS.escape(path.split(/[.[]/)[0])}"]`);
    if (field) {
      field.classList.add("invalid");
      const details = field.closest("details");
      if (details) details.open = true; // an error in a closed section would be invisible
      const id = `err-${path.replace(/\W/g, "-")}`;
      field.append(h("p", { class: "field-error", id, text: fieldMessage(field, path, String(d.message ?? "")) }));
      const control = field.querySelector("input, select");
      if (control) {
        control.setAttribute("aria-invalid", "true");
        const ids = (control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        control.setAttribute("aria-describedby", [...ids, id].join(" "));
        control.dataset.errorFor = "1";
      }
    } else {
      leftover.push(`${path}: ${d.message ?? ""}`);
    }
  }
  $("form-error").textContent = [err.message, ...leftover].join(" ");
  show($("form-error"), true);
  form.querySelector(".invalid input, .invalid select")?.focus();
}

// One save at a time: a double click on "Create campaign" (or Enter pressed twice) sent two POSTs and made
// two campaigns of the same name, a call list then uploaded to one and volunteers joining the other.
let saving = false;
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (saving) return;
  saving = true;
  form.setAttribute("aria-busy", "true");
  clearErrors();
  $("form-ok").textContent = "";
  let leaving = false;
  try {
    if (data.new) {
      const created = await api("POST", "/api/campaigns", collect());
      leaving = true; // the form stays locked until the new campaign's page replaces it
      location.assign(`/campaigns/${encodeURIComponent(created.id)}/settings?created=1`);
    } else {
      await api("PATCH", `/api/campaigns/${encodeURIComponent(data.campaign.id)}`, collect());
      $("form-ok").textContent = "Saved.";
    }
  } catch (err) {
    showErrors(err);
  } finally {
    if (!leaving) {
      saving = false;
      form.removeAttribute("aria-busy");
    }
  }
});

// Just created (the new-campaign form came here): say so, where it is and what comes next. The address
// loses ?created so that a reload does not say it again.
const params = new URLSearchParams(location.search);
if (!data.new && params.has("created")) {
  const notice = $("created-notice");
  // The call list's card is below the whole settings form (a few screens down on a phone): linked.
  const upload = h("a", { href: "#call-list", text: "upload a call list" });
  upload.addEventListener("click", (event) => {
    event.preventDefault();
    $("call-list").scrollIntoView({ block: "start" });
    $("contacts-file").focus();
  });
  notice.replaceChildren(`Created “${data.campaign.name}”. It is in your Campaigns list. Next: `, upload,
    " (on this page), then invite volunteers from the Dashboard with the join link.");
  show(notice, true);
  notice.focus();
  params.delete("created");
  history.replaceState(null, "", location.pathname + (params.size ? `?${params}` : "") + location.hash);
}

// A script uploaded in another tab (the hint's link) joins the picker when this tab is shown again.
async function refreshScripts() {
  const select = $("f-script_id");
  let scripts;
  try {
    scripts = await api("GET", "/api/scripts");
  } catch {
    return; // the list stays as it was; saving still works
  }
  const have = new Set([...select.options].map((o) => o.value));
  for (const s of scripts || []) {
    if (!s?.id || have.has(s.id)) continue;
    select.append(h("option", { value: s.id, text: s.title ? `${s.title} (${s.id})` : s.id }));
  }
  if (select.options.length > 1 && select.options[0].value === "") select.options[0].textContent = "Choose a script…";
}

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") refreshScripts();
});
// A select with data-hints describes its chosen option in the hint below it (ids: <select id>-hint).
for (const select of form.querySelectorAll("select[data-hints]")) {
  select.addEventListener("change", () => {
    $(`${select.id}-hint`).textContent = select.selectedOptions[0]?.dataset.hint || "";
  });
}
$("advanced").addEventListener("input", advancedSummary);
$("advanced").addEventListener("change", advancedSummary);
advancedSummary();

async function upload(fileInput, url) {
  const file = fileInput.files[0];
  if (!file) throw new Error("Choose a CSV file first.");
  return api("POST", url, await file.arrayBuffer(), { contentType: "text/csv" });
}

function uploader(button, fileInput, report, url, render) {
  button.addEventListener("click", async () => {
    report.replaceChildren(h("p", { text: "Uploading…" }));
    await whileBusy(button, async () => {
      try {
        report.replaceChildren(...render(await upload(fileInput, url)).filter(Boolean));
      } catch (err) {
        report.replaceChildren(h("p", { class: "form-error", text: err.message }));
      }
    });
  });
}

if (!data.new) {
  const contacts = `/api/campaigns/${encodeURIComponent(data.campaign.id)}/contacts`;
  uploader($("contacts-upload"), $("contacts-file"), $("import-report"), contacts, importReport);
  uploader($("dnc-upload"), $("dnc-file"), $("dnc-report"), "/api/dnc", dncReport);
}
