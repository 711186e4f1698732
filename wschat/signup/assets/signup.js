// The sign-up pages' script (wschat/signup/page.py renders the forms): sends a form as JSON to the API and
// shows the answer. Errors are announced (role=alert) and marked on their fields (aria-invalid). Nothing
// here talks to any host but wsChat's own.
"use strict";

/** @param {HTMLFormElement} form */
function errorsOf(form) {
  try {
    return JSON.parse(form.dataset.errors || "{}");
  } catch {
    return {};
  }
}

/** @param {HTMLFormElement} form */
function clearErrors(form) {
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  for (const p of form.querySelectorAll(".field-error")) {
    p.textContent = "";
    p.hidden = true;
  }
  form.querySelector("#form-error").textContent = "";
}

/** @param {HTMLFormElement} form @param {{code?: string, message?: string, details?: {fields?: {field: string, message: string}[]}}} error */
function showError(form, error) {
  const words = errorsOf(form);
  for (const item of (error.details && error.details.fields) || []) {
    const input = form.querySelector(`#${CSS.escape(item.field)}`);
    const slot = form.querySelector(`#${CSS.escape(item.field)}-error`);
    if (input) input.setAttribute("aria-invalid", "true");
    if (slot) {
      slot.textContent = item.message;
      slot.hidden = false;
    }
  }
  form.querySelector("#form-error").textContent =
    (error.code && words[error.code]) || error.message || form.dataset.error || "";
}

/** @param {string} path @param {object} body */
async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  let answer = {};
  try {
    answer = await response.json();
  } catch {
    answer = {};
  }
  return { ok: response.ok, answer };
}

/** @param {HTMLFormElement} form @param {() => object} body @param {string} path @param {(answer: any) => void} done */
function wire(form, body, path, done) {
  const button = form.querySelector("button[type=submit]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    button.disabled = true;
    try {
      const { ok, answer } = await post(path, body());
      if (ok) done(answer);
      else showError(form, answer.error || {});
    } catch {
      showError(form, {});
    } finally {
      button.disabled = false;
    }
  });
}

function value(id) {
  return document.getElementById(id).value.trim();
}

const signup = document.getElementById("signup");
if (signup) {
  wire(
    signup,
    () => {
      const body = { name: value("name"), company: value("company"), email: value("email"), lang: signup.dataset.lang };
      const phone = value("phone");
      if (phone) body.phone = phone;
      if (document.getElementById("consent").checked) body.consent = true;
      return body;
    },
    "/api/signup",
    () => {
      const done = document.getElementById("done");
      done.textContent = signup.dataset.sent.replace("{email}", value("email"));
      done.hidden = false;
      signup.hidden = true;
    },
  );
}

const confirm = document.getElementById("confirm");
if (confirm) {
  wire(
    confirm,
    () => ({ token: confirm.dataset.token, slug: value("slug"), password: document.getElementById("password").value }),
    "/api/signup/confirm",
    (answer) => {
      const done = document.getElementById("done");
      done.textContent = confirm.dataset.created;
      done.hidden = false;
      confirm.hidden = true;
      // The console's sign-in form starts with the tenant it remembers (frontend/src/console/ui/Login.tsx).
      localStorage.setItem("wschat.console.tenant", answer.tenant);
      window.location.assign(answer.sign_in);
    },
  );
}
