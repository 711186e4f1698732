// A user's photo with "Upload" and "Remove": the same control in the admin's agent editor and the profile.
import { t } from "../strings";
import { Avatar } from "./Avatar";

interface Props {
  name: string;
  url: string | null;
  size: number;
  /** A chosen file, or null to remove the photo. */
  onChange: (file: File | null) => void;
}

export function PhotoPicker({ name, url, size, onChange }: Props) {
  return (
    <div class="photo-row">
      <Avatar name={name} url={url} size={size} />
      <label class="button">
        {t.agents.upload}
        <input
          type="file"
          name="photo"
          accept="image/jpeg,image/png,image/webp"
          class="visually-hidden"
          onChange={(e) => {
            const file = e.currentTarget.files?.[0] ?? null;
            e.currentTarget.value = "";
            if (file) onChange(file);
          }}
        />
      </label>
      {/* Initials are drawn by the server: only an uploaded photo can be removed. */}
      {url?.startsWith("/media/photos/") && (
        <button type="button" onClick={() => onChange(null)}>
          {t.agents.removePhoto}
        </button>
      )}
    </div>
  );
}
