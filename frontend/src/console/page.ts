// The console page's Content-Security-Policy allows the Jitsi host of one tenant only: the one named by the
// `wschat_tenant` cookie, which the console sets after signing in and the server echoes in
// <meta name="wschat-tenant">. After signing in to a tenant the page was not made for (the first sign-in in
// this browser, or another company), the console loads itself once more to get the right policy.

export const TENANT_COOKIE = "wschat_tenant";
const RELOADED = "wschat.console.reloadedFor";

/** The cookie that names the signed-in tenant, for the console's path only; it holds the slug, nothing else. */
export function tenantCookie(slug: string, secure: boolean): string {
  return `${TENANT_COOKIE}=${encodeURIComponent(slug)}; Path=/console/; Max-Age=31536000; SameSite=Strict${secure ? "; Secure" : ""}`;
}

/** Whether the page must load again so that its policy fits `slug`: once per tab and tenant, never in a loop. */
export function needsReload(pageTenant: string | null, slug: string, reloadedFor: string | null): boolean {
  return pageTenant !== null && pageTenant !== slug && reloadedFor !== slug;
}

/** Remembers the tenant and reloads the page when its policy was made for another; true when it reloads. */
export function fitPageTo(slug: string): boolean {
  document.cookie = tenantCookie(slug, location.protocol === "https:");
  const pageTenant = document.querySelector<HTMLMetaElement>('meta[name="wschat-tenant"]')?.content ?? null;
  try {
    if (!needsReload(pageTenant, slug, sessionStorage.getItem(RELOADED))) return false;
    sessionStorage.setItem(RELOADED, slug);
  } catch {
    return false; // without storage a reload could repeat forever: keep the page (calls fall back to a notice)
  }
  location.reload();
  return true;
}
