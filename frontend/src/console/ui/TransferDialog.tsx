// The transfer dialog: online colleagues with a free chat slot, and an optional note only agents see.
import { useEffect, useRef, useState } from "preact/hooks";
import { controller } from "../controller";
import { transferTargets, type Chat, type State } from "../state";
import { t } from "../strings";
import { Avatar } from "./Avatar";

export function TransferDialog({ state, chat, onClose }: { state: State; chat: Chat; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [to, setTo] = useState<string | null>(null);
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const targets = transferTargets(state);

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    dialog.current?.showModal();
    void controller.loadAgents();
    return () => opener?.focus();
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!to) return;
    setBusy(true);
    const failed = await controller.transfer(chat.conversation.id, to, note);
    setBusy(false);
    if (failed) setError(failed);
    else {
      controller.notify(t.transfer.done(state.agents[to]?.display_name ?? ""));
      onClose();
    }
  };

  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="transfer-title" onClose={onClose} onCancel={onClose}>
      <form onSubmit={submit}>
        <h2 id="transfer-title">{t.transfer.title}</h2>
        {targets.length === 0 ? (
          <p class="empty">{t.transfer.nobody}</p>
        ) : (
          <fieldset class="targets">
            <legend>{t.transfer.to}</legend>
            {targets.map((a) => (
              <label key={a.agent_id} class="target" data-agent={a.agent_id}>
                <input type="radio" name="to" value={a.agent_id} checked={to === a.agent_id} onChange={() => setTo(a.agent_id)} />
                <Avatar name={a.display_name} url={a.photo_url} size={28} />
                <span class="name">{a.display_name}</span>
                <span class="muted">{t.transfer.load(a.open_chats, a.max_chats)}</span>
              </label>
            ))}
          </fieldset>
        )}
        <label>
          {t.transfer.note}
          <textarea name="note" rows={3} maxLength={1000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="actions">
          <button type="button" onClick={onClose}>
            {t.transfer.cancel}
          </button>
          <button type="submit" class="primary" disabled={!to || busy}>
            {t.transfer.submit}
          </button>
        </div>
      </form>
    </dialog>
  );
}
