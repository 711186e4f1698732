// The E-mail admin page's form model: the tenant's own mail server from GET /api/mail/settings, and the whole
// PUT body back (docs/protocol.md §4 "E-mail"). The password is write-only: left out, the stored one stays.
import type { MailSettings } from "./wire";

export interface MailForm {
  url: string;
  from: string;
  password: string;
  removePassword: boolean;
}

export function toMailForm(s: MailSettings): MailForm {
  return { url: s.smtp_url ?? "", from: s.from_address ?? "", password: "", removePassword: false };
}

export interface MailSettingsBody {
  smtp_url: string | null;
  from_address?: string;
  password?: string | null;
}

/** An empty URL goes back to the installation's server (and clears the rest). */
export function mailSettingsBody(form: MailForm): MailSettingsBody {
  const url = form.url.trim();
  if (!url) return { smtp_url: null };
  const body: MailSettingsBody = { smtp_url: url, from_address: form.from.trim() };
  if (form.removePassword) body.password = null;
  else if (form.password) body.password = form.password;
  return body;
}
