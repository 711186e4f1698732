// Everyone's own profile: what visitors see of them, their photo (PUT/DELETE /api/agents/{own id}/photo),
// and the download of their own data (GET /api/me/data).
import { useState } from "preact/hooks";
import { controller } from "../controller";
import type { State } from "../state";
import { errorText, t } from "../strings";
import { AgentAnswer } from "../wire";
import { download } from "./Archive";
import { PhotoPicker } from "./PhotoPicker";

export function Profile({ state }: { state: State }) {
  const me = state.me;
  const [feedback, setFeedback] = useState<{ text: string; kind: "info" | "error" } | null>(null);
  if (!me || !state.tenant) return null;
  const tenant = state.tenant;

  const photo = async (file: File | null) => {
    const path = `/api/agents/${encodeURIComponent(me.id)}/photo`;
    const answer = file ? await controller.api.call("PUT", path, AgentAnswer, file) : await controller.api.call("DELETE", path, AgentAnswer);
    if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
    controller.dispatch({ type: "session", me: answer.value.agent, tenant });
    setFeedback({ text: t.agents.saved, kind: "info" });
  };

  const downloadData = async () => {
    const failed = await download("/api/me/data", `wschat-my-data-${me.login}.json`);
    setFeedback(failed ? { text: failed, kind: "error" } : { text: t.profile.downloaded, kind: "info" });
  };

  return (
    <section class="page" aria-labelledby="profile-title">
      <header class="page-head">
        <h1 id="profile-title">{t.profile.title}</h1>
      </header>
      <div class="card">
        <dl class="facts">
          <dt>{t.agents.alias}</dt>
          <dd>{me.display_name}</dd>
          <dt>{t.agents.login}</dt>
          <dd>{me.login}</dd>
          <dt>{t.agents.role}</dt>
          <dd>{t.agents.roles[me.role]}</dd>
          <dt>{t.agents.maxChats}</dt>
          <dd>{me.max_chats}</dd>
        </dl>
        <p class="muted">{t.profile.hint}</p>
        <PhotoPicker name={me.display_name} url={me.photo_url} size={96} onChange={(file) => void photo(file)} />
        <p class="muted">{t.profile.downloadHint}</p>
        <button type="button" onClick={() => void downloadData()}>
          {t.profile.download}
        </button>
        {feedback && (
          <p class={feedback.kind === "error" ? "error" : "ok"} role={feedback.kind === "error" ? "alert" : "status"}>
            {feedback.text}
          </p>
        )}
      </div>
    </section>
  );
}
