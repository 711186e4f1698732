import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { DeliveriesAnswer, emptyForm, endpointBody, EndpointAnswer, outcome, toggled } from "./webhooks";

const delivery = {
  id: "whd_0123456789abcdef01234567",
  endpoint_id: "whk_0123456789abcdef01234567",
  event: "conversation.closed",
  status: "failed",
  attempts: 12,
  created_at: "2026-12-06T10:00:00+00:00",
  next_attempt_at: null,
  last_attempt_at: "2026-12-07T10:00:00+00:00",
  delivered_at: null,
  response_status: 500,
  response_body: "database\n  down",
  last_error: "the receiver answered 500",
};

describe("the Webhooks page's data", () => {
  it("parses the server's answers and keeps the secret only when one came", () => {
    const endpoint = {
      id: "whk_0123456789abcdef01234567",
      url: "https://crm.acme.example/hooks",
      events: ["conversation.closed"],
      description: "",
      enabled: true,
      created_at: "2026-12-06T10:00:00+00:00",
      updated_at: "2026-12-06T10:00:00+00:00",
    };
    expect(v.parse(EndpointAnswer, { endpoint, secret: "whsec_x" }).secret).toBe("whsec_x");
    expect(v.parse(EndpointAnswer, { endpoint }).secret).toBeUndefined();
    expect(v.parse(DeliveriesAnswer, { deliveries: [delivery], next_before: null }).deliveries[0]?.status).toBe("failed");
    expect(() => v.parse(DeliveriesAnswer, { deliveries: [{ ...delivery, status: "lost" }], next_before: null })).toThrow();
  });

  it("sends the form trimmed, its events in the server's order", () => {
    let form = toggled(emptyForm(), "contact.submitted", true);
    form = toggled(form, "conversation.closed", false);
    form = toggled(form, "appointment.booked", true);
    expect(endpointBody({ ...form, url: " https://crm.acme.example/hooks ", description: " CRM " })).toEqual({
      url: "https://crm.acme.example/hooks",
      description: "CRM",
      events: ["contact.submitted", "appointment.booked"],
    });
  });

  it("says what the receiver answered, or why there was no answer", () => {
    expect(outcome(delivery as never)).toBe("500 · database down");
    expect(outcome({ ...delivery, response_status: 204, response_body: null } as never)).toBe("204");
    expect(outcome({ ...delivery, response_status: null, response_body: null, last_error: "no answer within 5 s" } as never)).toBe(
      "no answer within 5 s",
    );
  });
});
