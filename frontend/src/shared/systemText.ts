// How both apps word a message: a system message from its `event` and `data`, in the reader's language;
// any other message (and an event this build does not know) as written. An agent since deleted keeps their
// messages without a name (docs/privacy.md, "Agents' data"): a name that is "" is worded as a former agent.
import type { Message, Party } from "./wire";

export type Data = Record<string, string | undefined>;

/** How a language names a deleted agent: as a sender (`label`) and as the subject of a sentence. */
export interface FormerAgent {
  label: string;
  subject: string;
}

export function wordedText(
  message: Pick<Message, "event" | "data" | "text">,
  system: Readonly<Record<string, (data: Data) => string>>,
  former?: FormerAgent,
): string {
  const render = message.event ? system[message.event] : undefined;
  if (!render) return message.text;
  const data: Data = {};
  for (const [key, value] of Object.entries(message.data))
    if (typeof value === "string" || typeof value === "number") data[key] = value === "" && former ? former.subject : String(value);
  return render(data) || message.text;
}

/** Who sent a message: their name, or for an agent since deleted (no name any more) the former agent. */
export function senderName(sender: Pick<Party, "kind" | "display_name">, former: FormerAgent): string {
  return sender.kind === "agent" && !sender.display_name ? former.label : sender.display_name;
}
