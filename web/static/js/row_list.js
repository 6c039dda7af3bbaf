// A list of rows on the settings form, each a few inputs, with "Add" and "Remove": the campaign's local
// numbers (caller_ids.js) and its transfer targets. The inputs have no name, so the form's own collect()
// passes over them; settings.js adds each list from its collect().
import { h } from "./api.js";

// `parts`: [key, label, input type, placeholder]; `path`: the API's field, so that an error at
// `<path>[1].<key>` shows beside that row's input; `label`: what one row is, for screen readers.
export function rowList(list, addButton, { path, label, parts, initial = [] }) {
  let made = 0;

  function reindex() {
    [...list.children].forEach((row, i) => {
      for (const [key] of parts) row.querySelector(`[data-part="${key}"]`).dataset.path = `${path}[${i}].${key}`;
    });
  }

  function addRow(values = {}) {
    const id = `f-${path}-${made++}`;
    const fields = parts.map(([key, text, type, placeholder]) => h("div", { class: "field", "data-part": key },
      h("label", { for: `${id}-${key}`, text }),
      h("input", { id: `${id}-${key}`, type, autocomplete: "off", placeholder, value: values[key] || "", "data-row": key })));
    const row = h("div", { class: "pool-row", role: "group", "aria-label": label }, ...fields);
    const remove = h("button", {
      type: "button", class: "remove", text: "Remove",
      onclick: () => { row.remove(); reindex(); addButton.focus(); },
    });
    row.append(remove);
    const first = row.querySelector("input");
    const name = () => remove.setAttribute("aria-label", `Remove ${label.toLowerCase()} ${first.value.trim()}`.trim());
    first.addEventListener("input", name);
    name();
    list.append(row);
    reindex();
    return row;
  }

  for (const values of initial) addRow(values);
  addButton.addEventListener("click", () => addRow().querySelector("input").focus());

  return {
    // Each row's trimmed values by key; rows left wholly empty are dropped first (so indexes still match).
    collect() {
      for (const row of [...list.children]) {
        if ([...row.querySelectorAll("input")].every((input) => !input.value.trim())) row.remove();
      }
      reindex();
      return [...list.children].map((row) => Object.fromEntries(
        parts.map(([key]) => [key, row.querySelector(`[data-row="${key}"]`).value.trim()])));
    },
  };
}
