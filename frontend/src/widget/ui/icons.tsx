// Inline icons (no icon font, no request). Decorative: every button that shows one has its own label.
const paths = {
  chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z",
  close: "M6 6l12 12M18 6L6 18",
  down: "M6 9l6 6 6-6",
  send: "M5 12l14-7-5 15-2.5-6.5z",
  contact: "M4 5h16v14H4zM9 12.5a2 2 0 1 0 0-4 2 2 0 0 0 0 4M6 16.5c1.2-2 4.8-2 6 0M15 10h3M15 13.5h3",
  end: "M14 4h5v16h-5M10 8l-4 4 4 4M6 12h10",
  video: "M3 7h12v10H3zM15 10.5l6-3.5v10l-6-3.5",
  mic: "M12 3a3 3 0 0 0-3 3v5a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3M5 11a7 7 0 0 0 14 0M12 18v3",
  hang: "M3 15.5c5-5 13-5 18 0L18.5 18l-3-2v-2.5a10 10 0 0 0-7 0V16l-3 2z",
  expand: "M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5",
  screen: "M3 4h18v12H3zM8 20h8M12 16v4",
};

export type IconName = keyof typeof paths;

export function Icon({ name, size = 20 }: { name: IconName; size?: number }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width="2"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d={paths[name]} />
    </svg>
  );
}
