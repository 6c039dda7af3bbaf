// A script step's answer buttons, numbered for the 1-9 keys: shared by the call page and the scripts page's
// preview, so a volunteer sees exactly what staff previewed. `answer` gets `{choice}` or `{}` (Continue).
import { h } from "./api.js";

// The second click of a double click (or tap) is not an answer: the next step's buttons are drawn where
// the first one was, so it would answer a question nobody asked. A click from the keyboard has detail 0.
const once = (answer) => (event) => {
  if (event.detail > 1) return;
  answer();
};

// `picked`: the choice given before on this call (the volunteer went Back to change it), marked as such.
export function choiceButtons(step, answer, picked) {
  const buttons = step.choices.map((c) => h("button", {
    type: "button", class: c.index === picked ? "choice picked" : "choice", "data-index": c.index,
    onclick: once(() => answer({ choice: c.index })),
  }, h("kbd", { text: String(c.index + 1) }), " ", c.label,
  ...(c.index === picked ? [h("span", { class: "picked-note", text: " (the answer before)" })] : [])));
  if (!step.choices.length && !step.input) {
    // A step with neither choices nor a typed answer just moves on.
    buttons.push(h("button", { type: "button", class: "choice", "data-index": 0, onclick: once(() => answer({})) },
      h("kbd", { text: "1" }), " Continue"));
  }
  return buttons;
}
