import { describe, expect, it } from "vitest";
import { mailSettingsBody, toMailForm } from "./mail";

const saved = { smtp_url: "smtp://ops@mail.acme.example:587", from_address: "chat@acme.example", password_set: true, operator_server: false };

describe("the E-mail page's form", () => {
  it("starts from the stored server, never with a password", () => {
    expect(toMailForm(saved)).toEqual({ url: "smtp://ops@mail.acme.example:587", from: "chat@acme.example", password: "", removePassword: false });
  });

  it("keeps the stored password unless one is typed or removed", () => {
    const form = toMailForm(saved);
    expect(mailSettingsBody(form)).toEqual({ smtp_url: saved.smtp_url, from_address: saved.from_address });
    expect(mailSettingsBody({ ...form, password: "new one" })).toEqual({ smtp_url: saved.smtp_url, from_address: saved.from_address, password: "new one" });
    expect(mailSettingsBody({ ...form, password: "typed", removePassword: true }).password).toBeNull();
  });

  it("an empty URL goes back to the installation's server", () => {
    expect(mailSettingsBody({ url: "  ", from: "x@acme.example", password: "p", removePassword: false })).toEqual({ smtp_url: null });
  });
});
