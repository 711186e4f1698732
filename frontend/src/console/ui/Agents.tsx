// Admin: the tenant's users (GET/POST/PATCH /api/agents, photo PUT/DELETE).
import { useEffect, useState } from "preact/hooks";
import { controller } from "../controller";
import type { State } from "../state";
import { errorText, t } from "../strings";
import { AgentAnswer, AgentsAnswer, type User } from "../wire";
import { Avatar } from "./Avatar";
import { PhotoPicker } from "./PhotoPicker";

type Feedback = { text: string; kind: "info" | "error" } | null;

function Message({ feedback }: { feedback: Feedback }) {
  if (!feedback) return null;
  return (
    <p class={feedback.kind === "error" ? "error" : "ok"} role={feedback.kind === "error" ? "alert" : "status"}>
      {feedback.text}
    </p>
  );
}

function CreateForm({ onCreated }: { onCreated: (user: User) => void }) {
  const [form, setForm] = useState({ login: "", display_name: "", password: "", role: "agent", max_chats: 3 });
  const [feedback, setFeedback] = useState<Feedback>(null);
  const set = (patch: Partial<typeof form>) => setForm({ ...form, ...patch });
  const submit = async (e: Event) => {
    e.preventDefault();
    const answer = await controller.api.call("POST", "/api/agents", AgentAnswer, form);
    if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
    setFeedback({ text: t.agents.created(answer.value.agent.display_name), kind: "info" });
    setForm({ login: "", display_name: "", password: "", role: "agent", max_chats: 3 });
    onCreated(answer.value.agent);
  };
  return (
    <form class="card create-agent" onSubmit={submit} aria-labelledby="create-title">
      <h2 id="create-title">{t.agents.create}</h2>
      <div class="grid">
        <label>
          {t.agents.login}
          <input name="login" required maxLength={64} value={form.login} onInput={(e) => set({ login: e.currentTarget.value })} />
        </label>
        <label>
          {t.agents.alias}
          <input name="display_name" required maxLength={80} value={form.display_name} onInput={(e) => set({ display_name: e.currentTarget.value })} />
        </label>
        <label>
          {t.agents.password}
          <input name="password" type="password" autoComplete="new-password" required minLength={10} maxLength={1024} value={form.password} onInput={(e) => set({ password: e.currentTarget.value })} />
        </label>
        <label>
          {t.agents.role}
          <select name="role" value={form.role} onChange={(e) => set({ role: e.currentTarget.value })}>
            <option value="agent">{t.agents.roles.agent}</option>
            <option value="admin">{t.agents.roles.admin}</option>
          </select>
        </label>
        <label>
          {t.agents.maxChats}
          <input name="max_chats" type="number" min={1} max={50} required value={form.max_chats} onInput={(e) => set({ max_chats: Number(e.currentTarget.value) })} />
        </label>
      </div>
      <Message feedback={feedback} />
      <button type="submit" class="primary">
        {t.agents.create}
      </button>
    </form>
  );
}

function EditForm({ user, onSaved, onCancel }: { user: User; onSaved: (user: User) => void; onCancel: () => void }) {
  const [alias, setAlias] = useState(user.display_name);
  const [role, setRole] = useState(user.role);
  const [maxChats, setMaxChats] = useState(user.max_chats);
  const [disabled, setDisabled] = useState(user.disabled);
  const [password, setPassword] = useState("");
  const [feedback, setFeedback] = useState<Feedback>(null);

  const save = async (e: Event) => {
    e.preventDefault();
    const patch: Record<string, unknown> = {};
    if (alias !== user.display_name) patch["display_name"] = alias;
    if (role !== user.role) patch["role"] = role;
    if (maxChats !== user.max_chats) patch["max_chats"] = maxChats;
    if (disabled !== user.disabled) patch["disabled"] = disabled;
    if (password) patch["password"] = password;
    const answer = await controller.api.call("PATCH", `/api/agents/${encodeURIComponent(user.id)}`, AgentAnswer, patch);
    if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
    setPassword("");
    setFeedback({ text: t.agents.saved, kind: "info" });
    onSaved(answer.value.agent);
  };

  const photo = async (file: File | null) => {
    const path = `/api/agents/${encodeURIComponent(user.id)}/photo`;
    const answer = file ? await controller.api.call("PUT", path, AgentAnswer, file) : await controller.api.call("DELETE", path, AgentAnswer);
    if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
    setFeedback({ text: t.agents.saved, kind: "info" });
    onSaved(answer.value.agent);
  };

  const fieldId = (name: string) => `${name}-${user.id}`;
  return (
    <form class="edit-agent" onSubmit={save} aria-label={`${t.agents.edit}: ${user.login}`}>
      <div class="grid">
        <label for={fieldId("alias")}>{t.agents.alias}</label>
        <input id={fieldId("alias")} name="display_name" required maxLength={80} value={alias} onInput={(e) => setAlias(e.currentTarget.value)} />
        <label for={fieldId("role")}>{t.agents.role}</label>
        <select id={fieldId("role")} name="role" value={role} onChange={(e) => setRole(e.currentTarget.value as User["role"])}>
          <option value="agent">{t.agents.roles.agent}</option>
          <option value="admin">{t.agents.roles.admin}</option>
        </select>
        <label for={fieldId("max")}>{t.agents.maxChats}</label>
        <input id={fieldId("max")} name="max_chats" type="number" min={1} max={50} value={maxChats} onInput={(e) => setMaxChats(Number(e.currentTarget.value))} />
        <label for={fieldId("password")}>{t.agents.newPassword}</label>
        <input id={fieldId("password")} name="password" type="password" autoComplete="new-password" minLength={10} maxLength={1024} value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        <label class="check">
          <input type="checkbox" name="disabled" checked={disabled} onChange={(e) => setDisabled(e.currentTarget.checked)} /> {t.agents.disabled}
        </label>
      </div>
      <PhotoPicker name={user.display_name} url={user.photo_url} size={64} onChange={(file) => void photo(file)} />
      <Message feedback={feedback} />
      <div class="actions">
        <button type="button" onClick={onCancel}>
          {t.agents.cancel}
        </button>
        <button type="submit" class="primary">
          {t.agents.save}
        </button>
      </div>
    </form>
  );
}

export function Agents({ state }: { state: State }) {
  const [users, setUsers] = useState<readonly User[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  useEffect(() => {
    void controller.api.call("GET", "/api/agents", AgentsAnswer).then((answer) => {
      if (answer.ok) setUsers(answer.value.agents);
      else setError(errorText(answer.error));
    });
  }, []);
  const replace = (user: User) =>
    setUsers((list) => {
      const rest = (list ?? []).filter((u) => u.id !== user.id);
      return [...rest, user].sort((a, b) => a.login.localeCompare(b.login));
    });

  return (
    <section class="page" aria-labelledby="agents-title">
      <header class="page-head">
        <h1 id="agents-title">{t.agents.title}</h1>
      </header>
      {error && <p class="error" role="alert">{error}</p>}
      <CreateForm onCreated={replace} />
      <table class="table agents">
        <thead>
          <tr>
            <th scope="col">{t.agents.photo}</th>
            <th scope="col">{t.agents.login}</th>
            <th scope="col">{t.agents.alias}</th>
            <th scope="col">{t.agents.role}</th>
            <th scope="col">{t.agents.maxChats}</th>
            <th scope="col">{t.agents.status}</th>
            <th scope="col">
              <span class="visually-hidden">{t.agents.edit}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(users ?? []).map((u) => {
            const presence = state.agents[u.id];
            return [
              <tr key={u.id} data-login={u.login} class={u.disabled ? "disabled" : ""}>
                <td>
                  <Avatar name={u.display_name} url={u.photo_url} size={32} />
                </td>
                <td>
                  {u.login} {u.id === state.me?.id && <span class="muted">{t.agents.you}</span>}
                </td>
                <td class="alias">{u.display_name}</td>
                <td>{t.agents.roles[u.role]}</td>
                <td>{u.max_chats}</td>
                <td>{u.disabled ? t.agents.disabled : presence ? `${t.status[presence.status]} · ${presence.open_chats}/${presence.max_chats}` : t.status.offline}</td>
                <td>
                  <button type="button" aria-expanded={editing === u.id} onClick={() => setEditing(editing === u.id ? null : u.id)}>
                    {t.agents.edit}
                  </button>
                </td>
              </tr>,
              editing === u.id && (
                <tr key={`${u.id}-edit`} class="editing">
                  <td colSpan={7}>
                    <EditForm user={u} onSaved={replace} onCancel={() => setEditing(null)} />
                  </td>
                </tr>
              ),
            ];
          })}
        </tbody>
      </table>
    </section>
  );
}
