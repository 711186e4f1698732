// Appointments (docs/appointments.md): what is coming (today / this week; an agent's own, an admin's for
// everyone), and for admins the set-up: the tenant's settings, the types, each agent's hours.
import { useEffect, useState } from "preact/hooks";
import {
  AppointmentAnswer,
  AppointmentsAnswer,
  CallConversationAnswer,
  exceptionsText,
  HoursAnswer,
  parseExceptions,
  parseSpans,
  SettingsAnswer,
  spansText,
  TypeAnswer,
  TypesAnswer,
  WEEKDAYS,
  whenText,
  MoveSlotsAnswer,
  type MoveSlots,
  type Appointment,
  type AppointmentSettings,
  type AppointmentType,
} from "../appointments";
import { controller } from "../controller";
import { lang } from "../language";
import { errorText, t } from "../strings";
import { AgentsAnswer, OkAck } from "../wire";

type Feedback = { text: string; kind: "info" | "error" } | null;
type Person = { id: string; display_name: string };

export function Appointments({ admin }: { admin: boolean }) {
  const [people, setPeople] = useState<Person[]>([]);
  useEffect(() => {
    if (admin) void controller.api.call("GET", "/api/agents", AgentsAnswer).then((a) => a.ok && setPeople(a.value.agents));
  }, [admin]);
  return (
    <section class="page" aria-labelledby="appointments-title">
      <h2 id="appointments-title">{t.appointments.title}</h2>
      <Upcoming people={people} />
      {admin && <Setup people={people} />}
    </section>
  );
}

function Upcoming({ people }: { people: Person[] }) {
  const w = t.appointments;
  const [range, setRange] = useState<"today" | "week">("today");
  const [list, setList] = useState<Appointment[] | null>(null);
  const [feedback, setFeedback] = useState<Feedback>(null);
  const load = async () => {
    const answer = await controller.api.call("GET", `/api/appointments?range=${range}`, AppointmentsAnswer);
    if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
    setList(answer.value.appointments);
  };
  useEffect(() => void load(), [range]);
  const cancel = async (a: Appointment) => {
    const answer = await controller.api.call("POST", `/api/appointments/${encodeURIComponent(a.id)}/cancel`, AppointmentAnswer);
    setFeedback(answer.ok ? { text: w.cancelled, kind: "info" } : { text: errorText(answer.error), kind: "error" });
    await load();
  };
  const agentName = (id: string) => people.find((p) => p.id === id)?.display_name ?? "";
  return (
    <div class="card" data-testid="upcoming">
      <h3>{w.upcoming}</h3>
      <div class="row" role="group" aria-label={w.upcoming}>
        <button type="button" class="btn quiet" aria-pressed={range === "today"} onClick={() => setRange("today")}>
          {w.today}
        </button>
        <button type="button" class="btn quiet" aria-pressed={range === "week"} onClick={() => setRange("week")}>
          {w.week}
        </button>
      </div>
      {feedback && <p role={feedback.kind === "error" ? "alert" : "status"}>{feedback.text}</p>}
      {list && list.length === 0 && <p>{w.none}</p>}
      <ul class="appointments">
        {list?.map((a) => (
          <li key={a.id}>
            <strong>{whenText(a, lang)}</strong> · {a.title[lang] ?? a.title.en} ({w.kinds[a.kind as keyof typeof w.kinds] ?? a.kind})
            <div>
              {a.name} · {a.email}
              {a.phone ? ` · ${a.phone}` : ""}
              {a.location ? ` · ${a.location}` : ""}
              {agentName(a.agent_id) ? ` · ${agentName(a.agent_id)}` : ""}
            </div>
            {a.kind === "video" && <StartCall appointment={a} onError={setFeedback} />}
            <Move appointment={a} onMoved={(text) => void load().then(() => setFeedback({ text, kind: "info" }))} />
            <button type="button" class="btn quiet" onClick={() => void cancel(a)}>
              {w.cancel}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Setup({ people }: { people: Person[] }) {
  const [types, setTypes] = useState<AppointmentType[]>([]);
  const load = async () => {
    const answer = await controller.api.call("GET", "/api/appointments/types", TypesAnswer);
    if (answer.ok) setTypes(answer.value.types);
  };
  useEffect(() => void load(), []);
  return (
    <>
      <SettingsCard types={types} />
      <TypesCard types={types} people={people} onChange={load} />
      <HoursCard people={people} />
    </>
  );
}

function SettingsCard({ types }: { types: AppointmentType[] }) {
  const w = t.appointments;
  const [form, setForm] = useState<AppointmentSettings | null>(null);
  const [feedback, setFeedback] = useState<Feedback>(null);
  useEffect(() => {
    void controller.api.call("GET", "/api/appointments/settings", SettingsAnswer).then((a) => a.ok && setForm(a.value.settings));
  }, []);
  if (!form) return null;
  const save = async (e: Event) => {
    e.preventDefault();
    const answer = await controller.api.call("PUT", "/api/appointments/settings", SettingsAnswer, form);
    setFeedback(answer.ok ? { text: w.saved, kind: "info" } : { text: errorText(answer.error), kind: "error" });
  };
  return (
    <form class="card" onSubmit={save} noValidate data-testid="appointment-settings">
      <h3>{w.settings}</h3>
      <label>
        {w.timeZone}
        <input value={form.time_zone} maxLength={64} onInput={(e) => setForm({ ...form, time_zone: e.currentTarget.value })} />
      </label>
      <label class="check">
        <input type="checkbox" checked={form.callback_offline} onChange={(e) => setForm({ ...form, callback_offline: e.currentTarget.checked })} />
        {w.callback}
      </label>
      <label>
        {w.callbackType}
        <select value={form.callback_type_id ?? ""} onChange={(e) => setForm({ ...form, callback_type_id: e.currentTarget.value || null })}>
          <option value="">{w.firstType}</option>
          {types.map((k) => (
            <option key={k.id} value={k.id}>
              {k.name[lang] ?? k.name.en}
            </option>
          ))}
        </select>
      </label>
      <label class="check">
        <input type="checkbox" checked={form.reminder} onChange={(e) => setForm({ ...form, reminder: e.currentTarget.checked })} />
        {w.reminder}
      </label>
      {feedback && <p role={feedback.kind === "error" ? "alert" : "status"}>{feedback.text}</p>}
      <button class="btn" type="submit">
        {w.save}
      </button>
    </form>
  );
}

const NEW_TYPE = { en: "", de: "", duration: "30", kind: "video", address: "", before: "0", after: "0", notice: "60", horizon: "30" };

function TypesCard({ types, people, onChange }: { types: AppointmentType[]; people: Person[]; onChange: () => Promise<void> }) {
  const w = t.appointments;
  const [form, setForm] = useState(NEW_TYPE);
  const [agents, setAgents] = useState<string[]>([]);
  const [feedback, setFeedback] = useState<Feedback>(null);
  const set = (patch: Partial<typeof NEW_TYPE>) => setForm({ ...form, ...patch });
  const create = async (e: Event) => {
    e.preventDefault();
    const body = {
      name: { en: form.en, de: form.de },
      duration: Number(form.duration),
      kind: form.kind,
      address: form.address,
      buffer_before: Number(form.before),
      buffer_after: Number(form.after),
      min_notice: Number(form.notice),
      horizon_days: Number(form.horizon),
      agent_ids: agents,
    };
    const answer = await controller.api.call("POST", "/api/appointments/types", TypeAnswer, body);
    if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
    setFeedback({ text: w.saved, kind: "info" });
    setForm(NEW_TYPE);
    await onChange();
  };
  const remove = async (k: AppointmentType) => {
    await controller.api.call("DELETE", `/api/appointments/types/${encodeURIComponent(k.id)}`, null);
    await onChange();
  };
  const number = (key: keyof typeof NEW_TYPE, label: string) => (
    <label>
      {label}
      <input type="number" min="0" step="5" value={form[key]} onInput={(e) => set({ [key]: e.currentTarget.value })} />
    </label>
  );
  return (
    <form class="card" onSubmit={create} noValidate data-testid="appointment-types">
      <h3>{w.types}</h3>
      <ul>
        {types.map((k) => (
          <li key={k.id}>
            {k.name[lang] ?? k.name.en} · {k.duration} min · {w.kinds[k.kind]}{" "}
            <button type="button" class="btn quiet" onClick={() => void remove(k)}>
              {w.delete}
            </button>
          </li>
        ))}
      </ul>
      <label>
        {w.nameEn}
        <input value={form.en} maxLength={80} onInput={(e) => set({ en: e.currentTarget.value })} />
      </label>
      <label>
        {w.nameDe}
        <input value={form.de} maxLength={80} onInput={(e) => set({ de: e.currentTarget.value })} />
      </label>
      {number("duration", w.duration)}
      <label>
        {w.kind}
        <select value={form.kind} onChange={(e) => set({ kind: e.currentTarget.value })}>
          {(["video", "phone", "on_site"] as const).map((k) => (
            <option key={k} value={k}>
              {w.kinds[k]}
            </option>
          ))}
        </select>
      </label>
      {form.kind === "on_site" && (
        <label>
          {w.address}
          <input value={form.address} maxLength={300} onInput={(e) => set({ address: e.currentTarget.value })} />
        </label>
      )}
      {number("before", w.bufferBefore)}
      {number("after", w.bufferAfter)}
      {number("notice", w.notice)}
      {number("horizon", w.horizon)}
      <fieldset>
        <legend>{w.agents}</legend>
        {people.map((p) => (
          <label class="check" key={p.id}>
            <input
              type="checkbox"
              checked={agents.includes(p.id)}
              onChange={(e) => setAgents(e.currentTarget.checked ? [...agents, p.id] : agents.filter((id) => id !== p.id))}
            />
            {p.display_name}
          </label>
        ))}
      </fieldset>
      {feedback && <p role={feedback.kind === "error" ? "alert" : "status"}>{feedback.text}</p>}
      <button class="btn" type="submit">
        {w.addType}
      </button>
    </form>
  );
}

function HoursCard({ people }: { people: Person[] }) {
  const w = t.appointments;
  const [agent, setAgent] = useState("");
  const [week, setWeek] = useState<Record<string, string>>({});
  const [exceptions, setExceptions] = useState("");
  const [email, setEmail] = useState("");
  const [feedback, setFeedback] = useState<Feedback>(null);
  /** Whose hours the fields hold: shown only once loaded, so that nothing typed is overwritten. */
  const [loaded, setLoaded] = useState("");
  useEffect(() => {
    setLoaded("");
    setFeedback(null);
    if (!agent) return;
    void controller.api.call("GET", `/api/appointments/hours/${encodeURIComponent(agent)}`, HoursAnswer).then((a) => {
      if (!a.ok) return setFeedback({ text: errorText(a.error), kind: "error" });
      const h = a.value.hours;
      setWeek(Object.fromEntries(WEEKDAYS.map((d) => [d, spansText(h.week[d] ?? [])])));
      setExceptions(exceptionsText(h.exceptions));
      setEmail(h.email ?? "");
      setLoaded(agent);
    });
  }, [agent]);
  const save = async (e: Event) => {
    e.preventDefault();
    const days: Record<string, [string, string][]> = {};
    for (const day of WEEKDAYS) {
      const spans = parseSpans(week[day] ?? "");
      if (!spans) return setFeedback({ text: w.badHours(w.days[day] ?? day), kind: "error" });
      if (spans.length) days[day] = spans;
    }
    const exc = parseExceptions(exceptions);
    if (!exc) return setFeedback({ text: w.badExceptions, kind: "error" });
    const body = { week: days, exceptions: exc, email: email.trim() || null };
    const answer = await controller.api.call("PUT", `/api/appointments/hours/${encodeURIComponent(agent)}`, HoursAnswer, body);
    if (answer.ok) return setFeedback({ text: w.saved, kind: "info" });
    // The server names the spans that overlap or end before they start (in English).
    const detail = answer.error.code === "VALIDATION_FAILED" ? ` ${answer.error.message}` : "";
    setFeedback({ text: errorText(answer.error) + detail, kind: "error" });
  };
  return (
    <form class="card" onSubmit={save} noValidate data-testid="appointment-hours">
      <h3>{w.hours}</h3>
      <label>
        {w.agent}
        <select value={agent} onChange={(e) => setAgent(e.currentTarget.value)}>
          <option value="">—</option>
          {people.map((p) => (
            <option key={p.id} value={p.id}>
              {p.display_name}
            </option>
          ))}
        </select>
      </label>
      {!loaded && feedback && <p role="alert">{feedback.text}</p>}
      {agent && loaded === agent && (
        <>
          <p class="hint">{w.hoursHint}</p>
          {WEEKDAYS.map((day) => (
            <label key={day}>
              {w.days[day]}
              <input value={week[day] ?? ""} placeholder="09:00-12:00, 13:00-17:00" onInput={(e) => setWeek({ ...week, [day]: e.currentTarget.value })} />
            </label>
          ))}
          <label>
            {w.exceptions}
            <textarea rows={3} value={exceptions} placeholder="2026-12-24:" onInput={(e) => setExceptions(e.currentTarget.value)} />
          </label>
          <label>
            {w.agentEmail}
            <input type="email" value={email} maxLength={254} onInput={(e) => setEmail(e.currentTarget.value)} />
          </label>
          {feedback && <p role={feedback.kind === "error" ? "alert" : "status"}>{feedback.text}</p>}
          <button class="btn" type="submit">
            {w.save}
          </button>
        </>
      )}
    </form>
  );
}

/** In a chat the agent holds: offer one of the tenant's types; the visitor gets a booking card. */
export function OfferAppointment({ conversationId }: { conversationId: string }) {
  const w = t.appointments;
  const [types, setTypes] = useState<AppointmentType[] | null>(null);
  const [chosen, setChosen] = useState("");
  const [feedback, setFeedback] = useState<Feedback>(null);
  const open = async () => {
    const answer = await controller.api.call("GET", "/api/appointments/types", TypesAnswer);
    if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
    setTypes(answer.value.types);
    setChosen(answer.value.types[0]?.id ?? "");
  };
  const offer = async () => {
    const ack = await controller.emit("appointment.offer", { conversation_id: conversationId, type_id: chosen }, OkAck);
    setFeedback(ack.ok ? { text: w.offered, kind: "info" } : { text: errorText(ack.error), kind: "error" });
    if (ack.ok) setTypes(null);
  };
  if (!types)
    return (
      <>
        <button type="button" onClick={() => void open()}>
          {w.offer}
        </button>
        {feedback && <span role={feedback.kind === "error" ? "alert" : "status"}>{feedback.text}</span>}
      </>
    );
  return (
    <span class="confirm" role="group" aria-label={w.offer}>
      <label>
        {w.offerType}{" "}
        <select value={chosen} autoFocus onChange={(e) => setChosen(e.currentTarget.value)}>
          {types.map((k) => (
            <option key={k.id} value={k.id}>
              {k.name[lang] ?? k.name.en}
            </option>
          ))}
        </select>
      </label>
      <button type="button" class="primary" disabled={!chosen} onClick={() => void offer()}>
        {w.offer}
      </button>
      <button type="button" onClick={() => setTypes(null)}>
        {t.conversation.closeNo}
      </button>
    </span>
  );
}

/** Resolves once the console holds the chat `id` (its chat.assigned arrives around the answer), or after 10 s. */
function held(id: string): Promise<boolean> {
  return new Promise((resolve) => {
    if (controller.state.chats[id]) return resolve(true);
    const timer = setTimeout(() => done(false), 10_000);
    const stop = controller.subscribe(() => controller.state.chats[id] && done(true));
    function done(ok: boolean) {
      clearTimeout(timer);
      stop();
      resolve(ok);
    }
  });
}

/** A video appointment of this agent: the chat with its visitor is opened for them (made if need be, whether
 * or not the visitor is on the website or the call page yet), and the call starts there, as any call. */
function StartCall({ appointment, onError }: { appointment: Appointment; onError: (f: Feedback) => void }) {
  const w = t.appointments;
  if (appointment.agent_id !== controller.state.me?.id) return <span class="hint">{w.othersCall}</span>;
  const start = async () => {
    const path = `/api/appointments/${encodeURIComponent(appointment.id)}/conversation`;
    const answer = await controller.api.call("POST", path, CallConversationAnswer);
    if (!answer.ok) return onError({ text: errorText(answer.error), kind: "error" });
    const chat = answer.value.conversation_id;
    if (!(await held(chat))) return onError({ text: w.chatNotOpened, kind: "error" });
    controller.select(chat);
    void controller.calls.start(chat, "video");
  };
  return (
    <button type="button" class="btn" disabled={controller.calls.inCall} onClick={() => void start()}>
      {w.startCall}
    </button>
  );
}

/** Move it: the free times of the next days (the tenant's zone), one picked from a list, then moved. */
function Move({ appointment, onMoved }: { appointment: Appointment; onMoved: (text: string) => void }) {
  const w = t.appointments;
  const [slots, setSlots] = useState<MoveSlots | null>(null);
  const [chosen, setChosen] = useState("");
  const [error, setError] = useState("");
  const base = `/api/appointments/${encodeURIComponent(appointment.id)}`;
  const open = async (from?: string) => {
    const answer = await controller.api.call("GET", `${base}/slots${from ? `?from=${from}` : ""}`, MoveSlotsAnswer);
    if (!answer.ok) return setError(errorText(answer.error));
    setSlots(answer.value);
    setChosen(answer.value.days.flatMap((d) => d.slots)[0]?.start ?? "");
  };
  const move = async () => {
    const slot = slots?.days.flatMap((d) => d.slots).find((s) => s.start === chosen);
    if (!slot) return;
    const answer = await controller.api.call("POST", `${base}/move`, AppointmentAnswer, slot);
    if (!answer.ok) {
      setError(errorText(answer.error));
      return open();
    }
    setSlots(null);
    onMoved(w.moved);
  };
  if (!slots)
    return (
      <>
        <button type="button" class="btn quiet" onClick={() => void open()}>
          {w.move}
        </button>
        {error && <span role="alert">{error}</span>}
      </>
    );
  const times = slots.days.filter((d) => d.slots.length);
  return (
    <span class="confirm" role="group" aria-label={w.move}>
      {error && <span role="alert">{error}</span>}
      <label>
        {w.newTime}{" "}
        <select value={chosen} autoFocus onChange={(e) => setChosen(e.currentTarget.value)}>
          {times.map((d) => (
            <optgroup key={d.date} label={d.date}>
              {d.slots.map((s) => (
                <option key={s.start} value={s.start}>
                  {whenText(s, lang)}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </label>
      {times.length === 0 && <span>{w.noTimes}</span>}
      <button type="button" class="primary" disabled={!chosen} onClick={() => void move()}>
        {w.move}
      </button>
      <button type="button" onClick={() => void open(slots.next)}>
        {w.laterDays}
      </button>
      <button type="button" onClick={() => setSlots(null)}>
        {t.conversation.closeNo}
      </button>
    </span>
  );
}
