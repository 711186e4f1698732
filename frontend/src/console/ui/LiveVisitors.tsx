// Who is on the site now, and on which page (visitors.live, kept current by visitor.updated).
import { useEffect } from "preact/hooks";
import { controller } from "../controller";
import { duration, parseTime } from "../format";
import type { State } from "../state";
import { named, t } from "../strings";
import type { Visitor } from "../wire";
import { useNow } from "./hooks";
import { PageLink } from "./VisitorPanel";

export function LiveVisitors({ state }: { state: State }) {
  const now = useNow(5_000);
  useEffect(() => {
    void controller.loadLive();
    const timer = setInterval(() => void controller.loadLive(), 30_000);
    return () => clearInterval(timer);
  }, []);
  const live = state.live;
  return (
    <section class="page" aria-labelledby="live-title">
      <header class="page-head">
        <h1 id="live-title">{t.live.title}</h1>
        <button type="button" onClick={() => void controller.loadLive()}>
          {t.live.refresh}
        </button>
      </header>
      {live === "unsupported" ? (
        <p class="empty">{t.live.unsupported}</p>
      ) : live === null ? null : live.length === 0 ? (
        <p class="empty">{t.live.empty}</p>
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t.live.visitor}</th>
              <th scope="col">{t.live.page}</th>
              <th scope="col">{t.live.since}</th>
              <th scope="col">{t.live.chat}</th>
            </tr>
          </thead>
          <tbody>
            {(live as readonly Visitor[]).map((v) => {
              const entered = parseTime(v.current_page?.entered_at);
              const conv = v.conversation;
              return (
                <tr key={v.id} data-visitor={v.id}>
                  <td>{v.display_name}</td>
                  <td>{v.current_page ? <PageLink url={v.current_page.url} title={v.current_page.title} /> : t.visitor.unknown}</td>
                  <td>{entered ? duration(now - entered) : t.visitor.unknown}</td>
                  <td>
                    {conv && state.chats[conv.id] ? (
                      <button type="button" class="link" onClick={() => controller.select(conv.id)}>
                        {named(t.live.statuses, conv.status) ?? conv.status}
                      </button>
                    ) : conv ? (
                      (named(t.live.statuses, conv.status) ?? conv.status)
                    ) : (
                      t.visitor.unknown
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
