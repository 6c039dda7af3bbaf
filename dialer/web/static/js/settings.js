// Campaign settings (create or PATCH), call-list and do-not-call uploads with their reports.
import { api, h, pageData, show } from "./api.js";
import { dncReport, importReport } from "./import_report.js";

const data = pageData();
const $ = (id) => document.getElementById(id);
const form = $("campaign-form");

// A North American number typed as people write it ("202-555-0199", "(202) 555 0199", "1 202 555 0199")
// becomes the E.164 the API takes; anything else is sent as typed, for the API to judge.
function e164(raw) {
  if (raw.startsWith("+")) return raw;
  const digits = raw.replace(/[\s().-]/g, "");
  if (/^[2-9]\d{9}$/.test(digits)) return `+1${digits}`;
  if (/^1[2-9]\d{9}$/.test(digits)) return `+${digits}`;
  return raw;
}

function value(input) {
  const type = input.dataset.type;
  if (type === "bool") return input.checked;
  if (input.type === "tel") return e164(input.value.trim());
  const raw = input.value.trim();
  if (type === "int-or-null") return raw === "" ? null : Number.parseInt(raw, 10);
  if (type === "int") return Number.parseInt(raw, 10);
  if (type === "float") return Number.parseFloat(raw);
  return raw;
}

function collect() {
  const body = {};
  for (const input of form.querySelectorAll("input[name], select[name]")) {
    const v = value(input);
    if (data.new && (v === "" || v === null)) continue;
    const [head, tail] = input.name.split(".");
    if (tail) (body[head] ??= {})[tail] = v;
    else body[head] = v;
  }
  return body;
}

function clearErrors() {
  for (const node of form.querySelectorAll(".field-error")) node.remove();
  for (const node of form.querySelectorAll(".field.invalid")) node.classList.remove("invalid");
  show($("form-error"), false);
}

function showErrors(err) {
  const leftover = [];
  for (const d of err.details || []) {
    const field = form.querySelector(`.field[data-path="${CSS.escape(d.path)}"]`)
      || form.querySelector(`.field[data-path="${CSS.escape(String(d.path).split(".")[0])}"]`);
    if (field) {
      field.classList.add("invalid");
      const id = `err-${String(d.path).replace(/\W/g, "-")}`;
      field.append(h("p", { class: "field-error", id, text: d.message }));
      field.querySelector("input, select")?.setAttribute("aria-describedby", id);
    } else {
      leftover.push(`${d.path}: ${d.message}`);
    }
  }
  $("form-error").textContent = [err.message, ...leftover].join(" ");
  show($("form-error"), true);
  form.querySelector(".invalid input, .invalid select")?.focus();
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors();
  $("form-ok").textContent = "";
  try {
    if (data.new) {
      const created = await api("POST", "/api/campaigns", collect());
      location.assign(`/campaigns/${encodeURIComponent(created.id)}/settings`);
    } else {
      await api("PATCH", `/api/campaigns/${encodeURIComponent(data.campaign.id)}`, collect());
      $("form-ok").textContent = "Saved.";
    }
  } catch (err) {
    showErrors(err);
  }
});

async function upload(fileInput, url) {
  const file = fileInput.files[0];
  if (!file) throw new Error("Choose a CSV file first.");
  return api("POST", url, await file.arrayBuffer(), { contentType: "text/csv" });
}

function uploader(button, fileInput, report, url, render) {
  button.addEventListener("click", async () => {
    report.replaceChildren(h("p", { text: "Uploading…" }));
    button.disabled = true;
    try {
      report.replaceChildren(...render(await upload(fileInput, url)).filter(Boolean));
    } catch (err) {
      report.replaceChildren(h("p", { class: "form-error", text: err.message }));
    } finally {
      button.disabled = false;
    }
  });
}

if (!data.new) {
  const contacts = `/api/campaigns/${encodeURIComponent(data.campaign.id)}/contacts`;
  uploader($("contacts-upload"), $("contacts-file"), $("import-report"), contacts, importReport);
  uploader($("dnc-upload"), $("dnc-file"), $("dnc-report"), "/api/dnc", dncReport);
}
