// The sign-up pages' script (wschat/signup/page.py renders both forms on the server): sends a form as JSON to
// the API and shows the answer. Errors are announced (role=alert) and marked on their fields (aria-invalid).
// Nothing here talks to any host but wsChat's own.
import type * as v from "valibot";
import {
  type Answer,
  ConfirmAnswer,
  type Failure,
  fieldMessage,
  parseWords,
  readAnswer,
  shownMessage,
  SignupAnswer,
} from "./answers";

/** Where the console's sign-in form keeps the tenant it starts with (frontend/src/console/ui/Login.tsx). */
const LAST_TENANT = "wschat.console.tenant";

function element<T extends HTMLElement>(id: string, kind: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof kind)) throw new Error(`the page lacks #${id}`);
  return found;
}

function text(id: string): string {
  return element(id, HTMLInputElement).value.trim();
}

async function post<T>(path: string, body: object, schema: v.GenericSchema<unknown, T>): Promise<Answer<T>> {
  try {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    let answer: unknown = null;
    try {
      answer = await response.json();
    } catch {
      answer = null;
    }
    return readAnswer(response.ok, answer, schema);
  } catch {
    return { ok: false, failure: { code: "NETWORK", message: "", fields: [] } };
  }
}

function clearErrors(form: HTMLFormElement): void {
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  for (const slot of form.querySelectorAll<HTMLElement>(".field-error")) {
    slot.textContent = "";
    slot.hidden = true;
  }
  element("form-error", HTMLElement).textContent = "";
}

function showFailure(form: HTMLFormElement, failure: Failure): void {
  const fieldWords = parseWords(form.dataset.fieldErrors);
  for (const { field, message } of failure.fields) {
    document.getElementById(field)?.setAttribute("aria-invalid", "true");
    const slot = document.getElementById(`${field}-error`);
    if (slot) {
      slot.textContent = fieldMessage(field, message, fieldWords);
      slot.hidden = false;
    }
  }
  const words = parseWords(form.dataset.errors);
  element("form-error", HTMLElement).textContent = shownMessage(failure, words, form.dataset.error ?? "");
}

function done(form: HTMLFormElement, message: string): void {
  const status = element("done", HTMLElement);
  status.textContent = message;
  status.hidden = false;
  form.hidden = true;
}

/** On submit: `send` the form, then `succeeded` or the failure shown on the form. */
function wire<T>(form: HTMLFormElement, send: () => Promise<Answer<T>>, succeeded: (value: T) => void): void {
  const button = form.querySelector("button[type=submit]");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    if (button instanceof HTMLButtonElement) button.disabled = true;
    void send().then((answer) => {
      if (button instanceof HTMLButtonElement) button.disabled = false;
      if (answer.ok) succeeded(answer.value);
      else showFailure(form, answer.failure);
    });
  });
}

const signup = document.getElementById("signup");
if (signup instanceof HTMLFormElement) {
  wire(
    signup,
    () => {
      const body: Record<string, string | boolean> = {
        name: text("name"),
        company: text("company"),
        email: text("email"),
        lang: signup.dataset.lang === "de" ? "de" : "en",
      };
      if (text("phone")) body.phone = text("phone");
      if (element("consent", HTMLInputElement).checked) body.consent = true;
      return post("/api/signup", body, SignupAnswer);
    },
    () => done(signup, (signup.dataset.sent ?? "").replace("{email}", text("email"))),
  );
}

const confirm = document.getElementById("confirm");
if (confirm instanceof HTMLFormElement) {
  wire(
    confirm,
    () => {
      const body = { token: confirm.dataset.token ?? "", slug: text("slug"), password: element("password", HTMLInputElement).value };
      return post("/api/signup/confirm", body, ConfirmAnswer);
    },
    (answer: ConfirmAnswer) => {
      done(confirm, confirm.dataset.created ?? "");
      try {
        localStorage.setItem(LAST_TENANT, answer.tenant);
      } catch {
        /* private mode: the sign-in form starts empty */
      }
      // Only a path of wsChat's own: the answer is the server's, but a page never follows a link elsewhere.
      window.location.assign(answer.sign_in.startsWith("/") ? answer.sign_in : "/console/");
    },
  );
}
