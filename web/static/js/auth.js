// Sign-in and sign-up: the form posts JSON to the API, which sets the session cookie; then we go on.
import { api, h } from "./api.js";

const form = document.getElementById("auth-form");
const errorBox = document.getElementById("form-error");

function fail(message) {
  errorBox.textContent = message;
  errorBox.hidden = false;
}

// The server only renders a local path (pages.safe_next); checked again as the browser parses it.
function sameOrigin(target) {
  if (!target) return null;
  try {
    return new URL(target, location.origin).origin === location.origin ? target : null;
  } catch {
    return null;
  }
}

// The submit button starts disabled so that nothing is sent before this handler exists.
form.querySelector("button[type=submit]").disabled = false;

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  const body = {};
  for (const [key, value] of new FormData(form)) body[key] = String(value).trim() === "" ? "" : String(value);
  if (body.email) body.email = body.email.trim();
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    await api("POST", form.dataset.action, body);
    location.assign(sameOrigin(form.dataset.next) || "/campaigns");
  } catch (err) {
    if (err.code === "email_taken" && (await signedInInstead(body))) return;
    const fields = (err.details || []).map((d) => [form.elements.namedItem(d.path), d]);
    const details = fields.map(([field, d]) => `${fieldName(field) || d.path}: ${d.message}`).join("; ");
    fail(details ? `${err.message} ${details}` : err.message);
    const had = document.activeElement === document.body; // the disabled button dropped it
    button.disabled = false;
    const wrong = fields.map(([field]) => field).filter((field) => field instanceof HTMLInputElement);
    for (const input of form.querySelectorAll("input")) {
      if (wrong.includes(input)) {
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", "form-error");
      } else {
        input.removeAttribute("aria-invalid");
      }
    }
    if (wrong.length) wrong[0].focus(); // the field to fix, marked, with the message as its description
    else if (had) button.focus(); // the keyboard stays on the form (pressed with Enter in a field: still there)
  }
});

// Sign-up with an email that has an account: a volunteer back through the join link on a new phone fills in
// the form they are shown. Their own password signs them in and on; another is sent to the sign-in page
// (with the email filled in, going on where they were going) and told how to get a new password.
async function signedInInstead(body) {
  try {
    await api("POST", "/api/auth/login", { email: body.email, password: body.password });
    location.assign(sameOrigin(form.dataset.next) || "/campaigns");
    return true;
  } catch {
    const next = form.dataset.next ? `&next=${encodeURIComponent(form.dataset.next)}` : "";
    const signin = h("a", { href: `/signin?email=${encodeURIComponent(body.email)}${next}`, text: "Sign in" });
    errorBox.replaceChildren("An account with this email exists, with another password. ", signin,
      " with it; forgot the password? An organizer of your campaign can send you a reset link.");
    errorBox.hidden = false;
    form.querySelector("button[type=submit]").disabled = false;
    signin.focus();
    return true;
  }
}

// A field as its label names it ("Password", without the label's hint in parentheses).
function fieldName(field) {
  const label = field?.id ? form.querySelector(`label[for="${field.id}"]`) : null;
  return label?.firstChild?.textContent.trim() || "";
}
