// The campaign's local numbers (the API's caller_ids) on the settings form: rows to add and remove, each a
// number with the area codes and states it serves. Their inputs have no name, so the form's own collect()
// passes over them; settings.js adds `caller_ids` from collect() here.
import { displayPhone, h } from "./api.js";

// A North American number typed as people write it ("202-555-0199", "(202) 555 0199", "1 202 555 0199")
// becomes the E.164 the API takes; anything else is sent as typed, for the API to judge.
export function e164(raw) {
  if (raw.startsWith("+")) return raw;
  const digits = raw.replace(/[\s().-]/g, "");
  if (/^[2-9]\d{9}$/.test(digits)) return `+1${digits}`;
  if (/^1[2-9]\d{9}$/.test(digits)) return `+${digits}`;
  return raw;
}

// "215, 267 445" -> ["215", "267", "445"]; states are sent in capitals.
const tags = (raw, upper = false) => raw.split(/[\s,;]+/).filter(Boolean).map((t) => (upper ? t.toUpperCase() : t));

const PARTS = [
  ["number", "Local number", "tel", "(215) 555-0100"],
  ["area_codes", "Area codes", "text", "215, 267"],
  ["states", "States", "text", "PA, NJ"],
];

export function callerIdPool(list, addButton, initial) {
  let made = 0;

  // Paths follow the rows' order, so the API's error at caller_ids[1].states shows beside that row's field.
  function reindex() {
    [...list.children].forEach((row, i) => {
      for (const [part] of PARTS) row.querySelector(`[data-part="${part}"]`).dataset.path = `caller_ids[${i}].${part}`;
    });
  }

  function addRow(entry = {}) {
    const id = `f-pool-${made++}`;
    const values = {
      number: entry.number ? displayPhone(entry.number) : "",
      area_codes: (entry.area_codes || []).join(", "),
      states: (entry.states || []).join(", "),
    };
    const fields = PARTS.map(([part, label, type, placeholder]) => h("div", { class: "field", "data-part": part },
      h("label", { for: `${id}-${part}`, text: label }),
      h("input", { id: `${id}-${part}`, type, autocomplete: "off", placeholder, value: values[part], "data-pool": part })));
    const row = h("div", { class: "pool-row", role: "group", "aria-label": "Local number" }, ...fields);
    const remove = h("button", {
      type: "button", class: "remove", text: "Remove",
      onclick: () => { row.remove(); reindex(); addButton.focus(); },
    });
    row.append(remove);
    const number = row.querySelector('[data-pool="number"]');
    const label = () => remove.setAttribute("aria-label", `Remove local number ${number.value.trim()}`.trim());
    number.addEventListener("input", label);
    label();
    list.append(row);
    reindex();
    return row;
  }

  for (const entry of initial || []) addRow(entry);
  addButton.addEventListener("click", () => addRow().querySelector("input").focus());

  return {
    // The pool as the API takes it; rows left wholly empty are dropped first (so indexes still match).
    collect() {
      for (const row of [...list.children]) {
        if ([...row.querySelectorAll("input")].every((input) => !input.value.trim())) row.remove();
      }
      reindex();
      return [...list.children].map((row) => {
        const get = (part) => row.querySelector(`[data-pool="${part}"]`).value.trim();
        return { number: e164(get("number")), area_codes: tags(get("area_codes")), states: tags(get("states"), true) };
      });
    },
  };
}
