import { useState } from "preact/hooks";
import { controller } from "../controller";
import { t } from "../strings";
import { LanguageSwitch } from "./LanguageSwitch";

const LAST_TENANT = "wschat.console.tenant";

export function Login({ error }: { error: string | null }) {
  const [tenant, setTenant] = useState(() => {
    try {
      return localStorage.getItem(LAST_TENANT) ?? "";
    } catch {
      return "";
    }
  });
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      localStorage.setItem(LAST_TENANT, tenant.trim());
    } catch {
      /* private mode */
    }
    await controller.login(tenant.trim(), login.trim(), password);
    setBusy(false);
    setPassword("");
  };

  return (
    <main class="login">
      <form class="login-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">{t.login.title}</h1>
        <label>
          {t.login.tenant}
          <input name="tenant" autoComplete="organization" required maxLength={40} value={tenant} onInput={(e) => setTenant(e.currentTarget.value)} autoFocus={!tenant} />
        </label>
        <label>
          {t.login.login}
          <input name="login" autoComplete="username" required maxLength={64} value={login} onInput={(e) => setLogin(e.currentTarget.value)} autoFocus={!!tenant} />
        </label>
        <label>
          {t.login.password}
          <input name="password" type="password" autoComplete="current-password" required maxLength={1024} value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t.login.busy : t.login.submit}
        </button>
        <LanguageSwitch />
      </form>
    </main>
  );
}
