// The launcher: the round button in the corner that opens and closes the panel, with the unread badge, pulsing
// while a call invites the visitor. It and its few texts are all the widget shows until the visitor reaches it,
// so they load with the widget; the panel and the rest of the texts (Panel.tsx, strings.ts) load then.
import type { Ref } from "preact";
import type { Lang } from "../../shared/language";
import { Icon } from "./icons";

export interface LauncherTexts {
  openChat: string;
  closeChat: string;
  unread: (n: number) => string;
  /** A call's invitation, for the launcher's label, the live region and the panel's call banner. */
  invite: (name: string, screen: boolean) => string;
}

export const launcherTexts: Readonly<Record<Lang, LauncherTexts>> = {
  en: {
    openChat: "Open chat",
    closeChat: "Minimise chat",
    unread: (n) => (n === 1 ? "1 unread message" : `${n} unread messages`),
    invite: (name, screen) =>
      screen ? `${name} would like to show you their screen` : `${name} is inviting you to a video call`,
  },
  de: {
    openChat: "Chat öffnen",
    closeChat: "Chat minimieren",
    unread: (n) => (n === 1 ? "1 ungelesene Nachricht" : `${n} ungelesene Nachrichten`),
    invite: (name, screen) =>
      screen ? `${name} möchte Ihnen den Bildschirm zeigen` : `${name} lädt Sie zu einem Videoanruf ein`,
  },
};

interface LauncherProps {
  t: LauncherTexts;
  open: boolean;
  /** The tenant's title, the launcher's tooltip while the panel is closed. */
  title: string;
  unread: number;
  /** The call's invitation, empty when there is none. */
  invite: string;
  buttonRef: Ref<HTMLButtonElement>;
  onToggle: () => void;
  /** The pointer or the focus reached the launcher: time to fetch the panel. */
  onPreload: () => void;
}

export function Launcher({ t, open, title, unread, invite, buttonRef, onToggle, onPreload }: LauncherProps) {
  // An invitation while the panel is closed: the launcher pulses and shows a badge.
  const ringing = !open && invite !== "";
  const label = open
    ? t.closeChat
    : invite
      ? `${t.openChat}, ${invite}`
      : unread
        ? `${t.openChat}, ${t.unread(unread)}`
        : t.openChat;
  return (
    <button
      ref={buttonRef}
      type="button"
      class={"launcher" + (ringing ? " ring" : "")}
      aria-expanded={open}
      aria-controls="wsc-panel"
      aria-label={label}
      title={open ? t.closeChat : title}
      onClick={onToggle}
      onPointerEnter={onPreload}
      onFocus={onPreload}
    >
      <Icon name={open ? "close" : "chat"} size={26} />
      {(unread > 0 || ringing) && (
        <span class="badge" aria-hidden="true">
          {ringing ? "1" : unread > 9 ? "9+" : unread}
        </span>
      )}
    </button>
  );
}
