// The booking card: a type's free slots grouped by the visitor's days (in their time zone), each a button, then
// name, e-mail and phone, then the booking. A chunk of its own (docs/widget.md, "Size"), loaded when the
// visitor first opens it from an offer in the chat or from "Book a call back". Keyboard: the days are groups of
// buttons (Tab moves between them, the focus starts on the first time); Escape goes back.
import { useEffect, useRef, useState } from "preact/hooks";
import { askSlots, book, dayLabel, named, timeLabel, type Ask, type Booked, type Slot, type Slots, type Who } from "../appointments";
import type { Strings } from "../strings";

interface BookingProps {
  ask: Ask;
  t: Strings;
  lang: string;
  /** The offered type; null: the call back. */
  typeId: string | null;
  conversationId: string | null;
  onBack: () => void;
}

export function Booking({ ask, t, lang, typeId, conversationId, onBack }: BookingProps) {
  const b = t.booking;
  const [slots, setSlots] = useState<Slots | null>(null);
  const [from, setFrom] = useState<string | null>(null);
  const [chosen, setChosen] = useState<Slot | null>(null);
  const [who, setWho] = useState<Who>({ name: "", email: "", phone: "" });
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<Booked | null>(null);
  const first = useRef<HTMLButtonElement>(null);

  const load = async (start: string | null) => {
    const reply = await askSlots(ask, typeId, start);
    if (reply.ok) {
      setSlots(reply.value);
      setError("");
    } else setError(reply.error.message);
  };
  useEffect(() => void load(from), [from]);
  useEffect(() => first.current?.focus(), [slots]);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!chosen || !slots) return;
    setBusy(true);
    const reply = await book(ask, slots.type.id, chosen, who, lang, conversationId);
    setBusy(false);
    if (reply.ok) return setDone(reply.value);
    if (reply.error.code === "SLOT_TAKEN" || reply.error.code === "SLOT_NOT_OFFERED") {
      setChosen(null);
      setError(b.taken);
      await load(from);
      return;
    }
    setError(reply.error.code === "VALIDATION_FAILED" ? b.invalid : reply.error.message);
  };

  const name = slots ? named(slots.type.name, lang) : "";
  if (done) {
    const a = done.appointment;
    return (
      <div class="form booking">
        <p class="ok" role="status">
          {b.booked(named(a.title, lang), dayLabel(localDate(a.start), lang), timeLabel(a.start, lang))}
        </p>
        <div class="row">
          <button class="btn" type="button" onClick={onBack}>
            {t.back}
          </button>
        </div>
      </div>
    );
  }
  return (
    <form class="form booking" noValidate onSubmit={submit} onKeyDown={(e) => e.key === "Escape" && onBack()}>
      <h3>{slots ? b.title(name, slots.type.duration) : b.loading}</h3>
      {slots && <p class="typing">{b.zone(slots.time_zone)}</p>}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {slots && !chosen && (
        <>
          {slots.days.length === 0 && <p class="notice">{b.none}</p>}
          {slots.days.map((day, n) => (
            <div class="day" role="group" aria-label={dayLabel(day.date, lang)} key={day.date}>
              <h4>{dayLabel(day.date, lang)}</h4>
              <div class="times">
                {day.slots.map((slot, m) => (
                  <button
                    type="button"
                    class="btn quiet time"
                    key={slot.start}
                    ref={n === 0 && m === 0 ? first : undefined}
                    onClick={() => setChosen(slot)}
                  >
                    {timeLabel(slot.start, lang)}
                  </button>
                ))}
              </div>
            </div>
          ))}
          <div class="row">
            <button class="btn quiet" type="button" onClick={onBack}>
              {t.back}
            </button>
            <button class="btn quiet" type="button" onClick={() => setFrom(slots.next)}>
              {b.later}
            </button>
          </div>
        </>
      )}
      {slots && chosen && (
        <>
          <p class="notice">{b.chosen(dayLabel(localDate(chosen.start), lang), timeLabel(chosen.start, lang))}</p>
          <Field label={b.name} value={who.name} type="text" auto="name" max={80} focus onInput={(name) => setWho({ ...who, name })} />
          <Field label={b.email} value={who.email} type="email" auto="email" max={254} onInput={(email) => setWho({ ...who, email })} />
          <Field label={b.phone} value={who.phone} type="tel" auto="tel" max={40} onInput={(phone) => setWho({ ...who, phone })} />
          <p class="typing">{b.consent}</p>
          <div class="row">
            <button class="btn quiet" type="button" onClick={() => setChosen(null)}>
              {b.other}
            </button>
            <button class="btn" type="submit" disabled={busy}>
              {b.book}
            </button>
          </div>
        </>
      )}
    </form>
  );
}

interface FieldProps {
  label: string;
  value: string;
  type: string;
  auto: string;
  max: number;
  focus?: boolean;
  onInput: (value: string) => void;
}

function Field({ label, value, type, auto, max, focus, onInput }: FieldProps) {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (focus) input.current?.focus();
  }, []);
  return (
    <label>
      {label}
      <input ref={input} type={type} value={value} maxLength={max} autoComplete={auto} onInput={(e) => onInput(e.currentTarget.value)} />
    </label>
  );
}

/** The visitor's date of an instant, as `YYYY-MM-DD`. */
function localDate(instant: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone }).format(new Date(instant));
  return parts;
}
