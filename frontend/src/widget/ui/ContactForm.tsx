// The contact form (name, e-mail, phone): a chunk of its own, loaded when the visitor first opens it (App.tsx
// fetches it ahead when the pointer or the focus reaches the "Contact details" button).
import { useEffect, useRef, useState } from "preact/hooks";
import type { ErrorBody } from "../../shared/wire";
import type { ContactFields } from "../controller";
import type { Strings } from "../strings";
import { useBusy } from "./Forms";

interface ContactProps {
  t: Strings;
  onSave: (fields: ContactFields) => Promise<ErrorBody | null>;
  onBack: () => void;
}

export function ContactForm({ t, onSave, onBack }: ContactProps) {
  const [fields, setFields] = useState<ContactFields>({});
  const [busy, error, run] = useBusy();
  const [saved, setSaved] = useState(false);
  const [empty, setEmpty] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const field = (key: keyof ContactFields, label: string, type: string, auto: string, max: number) => (
    <label>
      {label}
      <input
        ref={key === "name" ? first : undefined}
        type={type}
        value={fields[key] ?? ""}
        maxLength={max}
        autoComplete={auto}
        onInput={(e) => setFields({ ...fields, [key]: e.currentTarget.value })}
      />
    </label>
  );
  const submit = async (e: Event) => {
    e.preventDefault();
    setSaved(false);
    const any = Object.values(fields).some((value) => value?.trim());
    setEmpty(!any);
    if (any) setSaved(await run(() => onSave(fields), t));
  };
  return (
    <form class="form" noValidate onSubmit={submit}>
      <h3>{t.contactTitle}</h3>
      <p>{t.contactText}</p>
      {field("name", t.contactName, "text", "name", 80)}
      {field("email", t.contactEmail, "email", "email", 254)}
      {field("phone", t.contactPhone, "tel", "tel", 40)}
      {(error || empty) && <p class="error" role="alert">{empty ? t.contactEmpty : error}</p>}
      {saved && <p class="ok" role="status">{t.contactSaved}</p>}
      <div class="row">
        <button class="btn quiet" type="button" onClick={onBack}>
          {t.back}
        </button>
        <button class="btn" type="submit" disabled={busy}>
          {t.contactSave}
        </button>
      </div>
    </form>
  );
}
