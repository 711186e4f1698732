// The Reports page, fetched the first time it is opened: its charts and their logic stay out of the console's
// first load (most sign-ins are agents answering chats).
import type { FunctionComponent } from "preact";
import { useEffect, useState } from "preact/hooks";
import { t } from "../strings";

export function Reports() {
  const [Page, setPage] = useState<FunctionComponent | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    import("./Reports").then(
      (module) => setPage(() => module.Reports),
      () => setFailed(true),
    );
  }, []);
  if (failed) return <p class="error" role="alert">{t.errors.NETWORK}</p>;
  return Page ? <Page /> : <p class="hint">{t.reports.loading}</p>;
}
