// Right column: who the visitor is (as stored by the server) and where they are on the site.
import type { ComponentChildren } from "preact";
import { httpUrl } from "../../shared/urls";
import { browserName, clock, dateTime, dayKey, duration, parseTime } from "../format";
import type { Chat } from "../state";
import { t } from "../strings";
import type { Page } from "../wire";

/** A page address as a link only when it is http(s); anything else (javascript:, data:) stays text. */
export function PageLink({ url, title }: { url: string; title?: string | null }) {
  const safe = httpUrl(url)?.href ?? null;
  const label = title || url;
  return safe ? (
    <a href={safe} target="_blank" rel="noopener noreferrer" title={url}>
      {label}
    </a>
  ) : (
    <span title={url}>{label}</span>
  );
}

function Row({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children || t.visitor.unknown}</dd>
    </>
  );
}

function CurrentPage({ page }: { page: Page | null | undefined }) {
  if (page === undefined) return null;
  return (
    <Row label={t.visitor.currentPage}>
      {page ? <PageLink url={page.url} title={page.title} /> : <span class="muted">{t.visitor.noPage}</span>}
    </Row>
  );
}

export function VisitorPanel({ chat }: { chat: Chat }) {
  const visitor = chat.conversation.visitor;
  const contact = visitor.contact;
  return (
    <aside class="visitor-panel" aria-labelledby="visitor-title">
      <h2 id="visitor-title">{t.visitor.title}</h2>
      <dl>
        <Row label={t.visitor.name}>{visitor.name ?? contact.name}</Row>
        <Row label={t.visitor.alias}>{visitor.alias}</Row>
        {contact.name && visitor.name && contact.name !== visitor.name && <Row label={t.visitor.contactName}>{contact.name}</Row>}
        <Row label={t.visitor.email}>{contact.email && <a href={`mailto:${contact.email}`}>{contact.email}</a>}</Row>
        <Row label={t.visitor.phone}>{contact.phone}</Row>
        <Row label={t.visitor.country}>{visitor.country}</Row>
        <Row label={t.visitor.ip}>{visitor.ip}</Row>
        <Row label={t.visitor.browser}>
          <span title={visitor.user_agent ?? ""}>{browserName(visitor.user_agent)}</span>
        </Row>
        <Row label={t.visitor.firstSeen}>{dateTime(visitor.first_seen)}</Row>
        <CurrentPage page={visitor.current_page} />
      </dl>
      {chat.trail && chat.trail.length > 0 && (
        <section class="trail">
          <h3>{t.visitor.trail}</h3>
          <ol>
            {[...chat.trail].reverse().map((p, i) => {
              const seconds = p.seconds ?? (p.left_at && p.entered_at ? ((parseTime(p.left_at) ?? 0) - (parseTime(p.entered_at) ?? 0)) / 1000 : null);
              return (
                <li key={`${p.entered_at}-${i}`}>
                  <PageLink url={p.url} title={p.title} />
                  <span class="muted">
                    {" "}
                    {p.entered_at && dayKey(p.entered_at) === dayKey(new Date().toISOString()) ? clock(p.entered_at) : dateTime(p.entered_at)}
                    {seconds ? ` · ${duration(seconds * 1000)}` : ""}
                  </span>
                </li>
              );
            })}
          </ol>
        </section>
      )}
    </aside>
  );
}
