import { describe, expect, it } from "vitest";
import { ConfirmAnswer, fieldMessage, parseWords, readAnswer, shownMessage, SignupAnswer } from "./answers";

describe("readAnswer", () => {
  it("parses a good answer with its schema", () => {
    const body = { tenant: "initrode", login: "dora@initrode.example", sign_in: "/console/" };
    expect(readAnswer(true, body, ConfirmAnswer)).toEqual({ ok: true, value: body });
  });

  it("refuses a good status with an unexpected body", () => {
    expect(readAnswer(true, { status: "something else" }, SignupAnswer)).toEqual({
      ok: false,
      failure: { code: "BAD_ANSWER", message: "", fields: [] },
    });
  });

  it("reads the error's code, message and field errors", () => {
    const body = {
      error: {
        code: "VALIDATION_FAILED",
        message: "The request is not valid.",
        details: { fields: [{ field: "consent", message: "a phone number needs the consent box ticked" }] },
      },
    };
    expect(readAnswer(false, body, SignupAnswer)).toEqual({
      ok: false,
      failure: {
        code: "VALIDATION_FAILED",
        message: "The request is not valid.",
        fields: [{ field: "consent", message: "a phone number needs the consent box ticked" }],
      },
    });
  });

  it("takes an error without a JSON envelope (a proxy's page) as a bad answer", () => {
    expect(readAnswer(false, null, SignupAnswer)).toEqual({ ok: false, failure: { code: "BAD_ANSWER", message: "", fields: [] } });
  });
});

describe("shownMessage", () => {
  const failure = { code: "SIGNUP_PENDING", message: "A sign-up waits.", fields: [] };

  it("prefers the page's words for the code", () => {
    expect(shownMessage(failure, { SIGNUP_PENDING: "Eine Anmeldung wartet." }, "Fehler")).toBe("Eine Anmeldung wartet.");
  });

  it("falls back to the server's message, then the page's general one", () => {
    expect(shownMessage(failure, {}, "Error")).toBe("A sign-up waits.");
    expect(shownMessage({ ...failure, message: "" }, {}, "Error")).toBe("Error");
  });
});

describe("parseWords", () => {
  it("reads a JSON object of strings and nothing else", () => {
    expect(parseWords('{"LINK_USED": "benutzt"}')).toEqual({ LINK_USED: "benutzt" });
    expect(parseWords('{"LINK_USED": 1}')).toEqual({});
    expect(parseWords("not json")).toEqual({});
    expect(parseWords(undefined)).toEqual({});
  });
});

describe("fieldMessage", () => {
  it("prefers the page's words for the field, else the server's message without the validator's prefix", () => {
    expect(fieldMessage("consent", "Value error, a phone number needs the consent box ticked", { consent: "Kästchen" })).toBe("Kästchen");
    expect(fieldMessage("consent", "Value error, a phone number needs the consent box ticked", {})).toBe(
      "a phone number needs the consent box ticked",
    );
  });
});
