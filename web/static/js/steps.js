// A script step's answer buttons, numbered for the 1-9 keys: shared by the call page and the scripts page's
// preview, so a volunteer sees exactly what staff previewed. `answer` gets `{choice}` or `{}` (Continue).
import { h } from "./api.js";

export function choiceButtons(step, answer) {
  const buttons = step.choices.map((c) => h("button", {
    type: "button", class: "choice", "data-index": c.index, onclick: () => answer({ choice: c.index }),
  }, h("kbd", { text: String(c.index + 1) }), " ", c.label));
  if (!step.choices.length && !step.input) {
    // A step with neither choices nor a typed answer just moves on.
    buttons.push(h("button", { type: "button", class: "choice", "data-index": 0, onclick: () => answer({}) },
      h("kbd", { text: "1" }), " Continue"));
  }
  return buttons;
}
