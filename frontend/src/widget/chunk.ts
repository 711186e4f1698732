// A part of the widget that loads on first use: a file of its own next to the widget's module on the wsChat
// server (docs/widget.md, "Size"), fetched by a dynamic import() that resolves against that module's own URL,
// never the page's. Asked for any number of times, fetched once; a fetch that failed (offline, or a
// deployment replaced the file) is tried again at the next ask.

export class Chunk<T> {
  /** The loaded module; null until then. */
  value: T | null = null;
  private loading: Promise<T> | null = null;

  constructor(private readonly load: () => Promise<T>) {}

  get(): Promise<T> {
    this.loading ??= this.load().then(
      (value) => (this.value = value),
      (error: unknown) => {
        this.loading = null;
        throw error;
      },
    );
    return this.loading;
  }

  /** Fetches it ahead of use: the pointer is over, or the focus on, the button that needs it. */
  preload(): void {
    // A failure here is not the visitor's concern yet: the use itself asks again and says what went wrong.
    this.get().catch(() => undefined);
  }
}
