// How both apps word a message: a system message from its `event` and `data`, in the reader's language;
// any other message (and an event this build does not know) as written.
import type { Message } from "./wire";

export type Data = Record<string, string | undefined>;

export function wordedText(
  message: Pick<Message, "event" | "data" | "text">,
  system: Readonly<Record<string, (data: Data) => string>>,
): string {
  const render = message.event ? system[message.event] : undefined;
  if (!render) return message.text;
  const data: Data = {};
  for (const [key, value] of Object.entries(message.data))
    if (typeof value === "string" || typeof value === "number") data[key] = String(value);
  return render(data) || message.text;
}
