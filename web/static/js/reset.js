// The page behind an organizer's reset link: set a new password, then go on signed in.
import { passwordForm } from "./password_form.js";

const form = document.getElementById("reset-form");
passwordForm(form, {
  url: "/api/auth/password-reset",
  extra: { token: form.dataset.token },
  done() {
    location.assign("/campaigns");
  },
});
