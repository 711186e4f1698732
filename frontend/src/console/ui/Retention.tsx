// Admin: how long each data category is kept (GET/PATCH /api/tenant/retention), within the operator's maxima.
import { useEffect, useState } from "preact/hooks";
import { controller } from "../controller";
import { categoryNames, retentionPatch, toRetentionForm, type IpAction, type RetentionForm } from "../retention";
import { errorText, t } from "../strings";
import { RetentionAnswer, type RetentionSettings } from "../wire";

type Feedback = { text: string; kind: "info" | "error" } | null;

export function Retention() {
  const words = t.settings.retention;
  const [saved, setSaved] = useState<RetentionSettings | null>(null);
  const [form, setForm] = useState<RetentionForm | null>(null);
  const [wrong, setWrong] = useState<string[]>([]);
  const [feedback, setFeedback] = useState<Feedback>(null);

  const loaded = (retention: RetentionSettings) => {
    setSaved(retention);
    setForm(toRetentionForm(retention));
    setWrong([]);
  };

  useEffect(() => {
    void (async () => {
      const answer = await controller.api.call("GET", "/api/tenant/retention", RetentionAnswer);
      if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
      loaded(answer.value.retention);
    })();
  }, []);

  if (!saved || !form) {
    return feedback ? (
      <p class="error" role="alert">
        {feedback.text}
      </p>
    ) : null;
  }

  const save = async (e: Event) => {
    e.preventDefault();
    const { body, invalid } = retentionPatch(saved, form);
    setWrong(invalid.map((bad) => bad.name));
    const first = invalid[0];
    if (first) return setFeedback({ text: words.bounds(first.min, first.max), kind: "error" });
    if (!Object.keys(body).length) return setFeedback({ text: words.unchanged, kind: "info" });
    const answer = await controller.api.call("PATCH", "/api/tenant/retention", RetentionAnswer, body);
    if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
    loaded(answer.value.retention);
    setFeedback({ text: words.saved, kind: "info" });
  };
  const setDays = (name: string, value: string) => setForm({ ...form, days: { ...form.days, [name]: value } });
  const setAction = (ipAction: IpAction) => setForm({ ...form, ipAction });

  return (
    <form class="card" aria-labelledby="retention-title" onSubmit={save} noValidate data-testid="retention">
      <h2 id="retention-title">{words.title}</h2>
      <p class="hint">{words.hint}</p>
      {categoryNames(saved).map((name) => {
        const category = saved.categories[name]!;
        const bad = wrong.includes(name);
        return (
          <label key={name}>
            {words.categories[name] ?? name}
            <span class="days-field">
              <input
                name={`days.${name}`}
                type="number"
                inputMode="numeric"
                min={category.min_days}
                max={category.max_days}
                step={1}
                value={form.days[name] ?? ""}
                onInput={(e) => setDays(name, e.currentTarget.value)}
                aria-invalid={bad || undefined}
                aria-describedby={`retention-${name}-most`}
              />{" "}
              {words.days} <span class="hint" id={`retention-${name}-most`}>({words.most(category.max_days)})</span>
            </span>
          </label>
        );
      })}
      <fieldset>
        <legend>{words.ipAction}</legend>
        {(["delete", "shorten"] as const).map((action) => (
          <label class="check" key={action}>
            <input type="radio" name="ip_action" value={action} checked={form.ipAction === action} onChange={() => setAction(action)} />{" "}
            {action === "delete" ? words.ipDelete : words.ipShorten}
          </label>
        ))}
      </fieldset>
      {saved.legal_hold && <p role="note">{words.legalHold}</p>}
      {feedback && (
        <p class={feedback.kind === "error" ? "error" : "ok"} role={feedback.kind === "error" ? "alert" : "status"}>
          {feedback.text}
        </p>
      )}
      <button type="submit" class="primary">
        {words.save}
      </button>
    </form>
  );
}
