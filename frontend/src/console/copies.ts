// A copy made of a conversation (GET /api/archive/{id} "copies", GET /api/conversations/{id}/transcripts): a
// transcript mailed to the visitor, one forwarded by an agent, the conversation exported in a file.
import type * as v from "valibot";
import { dateTime } from "./format";
import { type Strings, t, userName } from "./strings";
import type { Transcript } from "./wire";

export function copyText(copy: v.InferOutput<typeof Transcript>, texts: Strings = t): string {
  const at = dateTime(copy.at);
  const words = texts.transcript;
  switch (copy.kind) {
    case "visitor":
      return words.visitorCopy(copy.to, at);
    case "export":
      if (copy.by.id === "operator") return words.exportedByOperator(copy.to.toUpperCase(), at);
      return words.exported(userName(copy.by.display_name, texts), copy.to.toUpperCase(), at);
    default:
      return words.record(userName(copy.by.display_name, texts), copy.to, at);
  }
}
