// The conversation: messages with sender and time, pending ones, the read receipt and the typing line.
// Every text is rendered as a text node (Preact escapes it): message text, aliases, system texts.
import type { Message } from "../../shared/wire";
import { assetUrl, smallPhoto } from "../config";
import type { Lang } from "../../shared/language";
import { formatTime } from "../format";
import { messageText, senderText, type Strings } from "../strings";
import type { Pending } from "../state";

interface ThreadProps {
  messages: readonly Message[];
  pending: readonly Pending[];
  seenSeq: number | null;
  lang: Lang;
  t: Strings;
  origin: string;
  connected: boolean;
  onRetry: (clientId: string) => void;
  /** An agent's offer of an appointment was chosen (its type's id). */
  onBook: (typeId: string) => void;
}

export function Thread({ messages, pending, seenSeq, lang, t, origin, connected, onRetry, onBook }: ThreadProps) {
  return (
    <ol class="log" role="log" aria-live="polite" aria-relevant="additions" aria-label={t.log}>
      {messages.map((m) => (
        <Item key={m.id} message={m} seen={m.seq === seenSeq} lang={lang} t={t} origin={origin} onBook={onBook} />
      ))}
      {pending.map((p) => (
        <PendingItem key={p.clientId} pending={p} connected={connected} t={t} onRetry={onRetry} />
      ))}
    </ol>
  );
}

interface PendingProps {
  pending: Pending;
  connected: boolean;
  t: Strings;
  onRetry: (clientId: string) => void;
}

function PendingItem({ pending, connected, t, onRetry }: PendingProps) {
  // Without a connection a message simply waits: it goes out by itself after the reconnect.
  const failed = pending.failed === "invalid" || (pending.failed === "network" && connected);
  return (
    <li class={"msg me" + (failed ? " failed" : "")}>
      <div>
        <div class="bubble">{pending.text}</div>
        <div class="meta">
          {failed ? (
            <>
              {t.notSent}{" "}
              <button type="button" class="link" onClick={() => onRetry(pending.clientId)}>
                {t.retry}
              </button>
            </>
          ) : (
            t.sending
          )}
        </div>
      </div>
    </li>
  );
}

interface ItemProps {
  message: Message;
  seen: boolean;
  lang: Lang;
  t: Strings;
  origin: string;
  onBook: (typeId: string) => void;
}

function Item({ message, seen, lang, t, origin, onBook }: ItemProps) {
  const time = <time dateTime={message.created_at}>{formatTime(message.created_at, lang)}</time>;
  if (message.sender.kind === "system") {
    const offered = message.event === "appointment_offered" ? message.data.type_id : undefined;
    return (
      <li class="sys">
        {messageText(message, t)} · {time}
        {typeof offered === "string" && (
          <>
            {" "}
            <button type="button" class="btn offer" onClick={() => onBook(offered)}>
              {t.booking.open}
            </button>
          </>
        )}
      </li>
    );
  }
  const mine = message.sender.kind === "visitor";
  const photo = mine ? null : assetUrl(origin, smallPhoto(message.sender.photo_url));
  return (
    <li class={"msg " + (mine ? "me" : "them")}>
      {photo && <img class="mini" src={photo} alt="" onError={hide} />}
      <div>
        <div class="bubble">{message.text}</div>
        <div class="meta">
          {mine ? t.you : senderText(message, t)} · {time}
          {seen && <> · {t.seen}</>}
        </div>
      </div>
    </li>
  );
}

/** A photo that answers 404 (replaced or removed, docs/protocol.md §4) is hidden rather than shown broken. */
export function hide(event: Event): void {
  (event.currentTarget as HTMLElement).style.visibility = "hidden";
}
