// A password form (the profile's change, the reset link's page): posts its fields as JSON and shows each
// problem the API names (`details[].path`) under its field, marked invalid and described by the message,
// with the keyboard on the first field to fix.
import { api, whileBusy } from "./api.js";

export function passwordForm(form, { url, extra = {}, done }) {
  const summary = form.querySelector(".form-error");
  const button = form.querySelector("button[type=submit]");
  button.disabled = false; // disabled in the page until now: nothing is posted before this handler exists

  function clear() {
    summary.hidden = true;
    for (const input of form.querySelectorAll("input")) {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
      const box = document.getElementById(`${input.name}-error`);
      if (box) box.hidden = true;
    }
  }

  function show(err) {
    const wrong = [];
    for (const detail of err.details || []) {
      const input = form.elements.namedItem(detail.path);
      const box = document.getElementById(`${detail.path}-error`);
      if (!(input instanceof HTMLInputElement) || !box) continue;
      box.textContent = `${input.labels[0]?.firstChild?.textContent.trim() || detail.path} ${detail.message}.`;
      box.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", box.id);
      wrong.push(input);
    }
    if (!wrong.length) {
      summary.textContent = err.message || "That did not work; try again.";
      summary.hidden = false;
    }
    return wrong[0] || null;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clear();
    const body = { ...extra };
    for (const [key, value] of new FormData(form)) body[key] = String(value);
    let fix = null;
    await whileBusy(button, async () => {
      try {
        const answer = await api("POST", url, body);
        form.reset();
        done(answer);
      } catch (err) {
        fix = show(err);
      }
    });
    fix?.focus(); // after the button is back: the field to fix, with its message as its description
  });
}
