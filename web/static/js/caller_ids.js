// The campaign's local numbers (the API's caller_ids) on the settings form: rows to add and remove, each a
// number with the area codes and states it serves (row_list.js); settings.js adds `caller_ids` from collect().
import { displayPhone } from "./api.js";
import { rowList } from "./row_list.js";

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
  const rows = rowList(list, addButton, {
    path: "caller_ids",
    label: "Local number",
    parts: PARTS,
    initial: (initial || []).map((entry) => ({
      number: entry.number ? displayPhone(entry.number) : "",
      area_codes: (entry.area_codes || []).join(", "),
      states: (entry.states || []).join(", "),
    })),
  });
  return {
    // The pool as the API takes it.
    collect: () => rows.collect().map((row) => (
      { number: e164(row.number), area_codes: tags(row.area_codes), states: tags(row.states, true) })),
  };
}
