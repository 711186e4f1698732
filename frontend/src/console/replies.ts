// The canned replies the signed-in user can use (GET /api/canned-replies), loaded once and again after the
// management page changed one. Listeners are the composers that show them.
import { controller } from "./controller";
import { CannedRepliesAnswer, type CannedReply } from "./wire";

let cached: CannedReply[] | null = null;
let loading: Promise<CannedReply[]> | null = null;

export function cannedReplies(reload = false): Promise<CannedReply[]> {
  if (cached && !reload) return Promise.resolve(cached);
  if (loading && !reload) return loading;
  loading = (async () => {
    const answer = await controller.api.call("GET", "/api/canned-replies", CannedRepliesAnswer);
    cached = answer.ok ? answer.value.replies : (cached ?? []);
    loading = null;
    return cached;
  })();
  return loading;
}

/** The management page changed a reply: the next "/" loads them again. */
export function forgetCannedReplies(): void {
  cached = null;
}
