/** Numbers of the API as people read them, the same in the CLI and the web UI. */

/** Bytes in binary units: `1.5 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 100 ? 1 : 0)} ${units[unit]}`;
}

/** A rate, rounded for reading, in the decimal units limits are typed in: `1.2 MB/s`, `512 kB/s`. */
export function formatBytesPerSecond(bytesPerSecond: number): string {
  for (const [unit, size] of [["GB", 1e9], ["MB", 1e6], ["kB", 1e3]] as const) {
    if (bytesPerSecond >= size) {
      const value = bytesPerSecond / size;
      return `${value < 100 ? Math.round(value * 10) / 10 : Math.round(value)} ${unit}/s`;
    }
  }
  return `${Math.round(bytesPerSecond)} B/s`;
}

/**
 * What a download waiting for its peer says: `waiting for Ann (offline) · 724 MiB kept` (the bytes
 * its files hold on disk; nothing of them when none).
 */
export function waitingText(item: { peer: { name: string }; bytesDone: number }): string {
  const kept = item.bytesDone > 0 ? ` · ${formatBytes(item.bytesDone)} kept` : "";
  return `waiting for ${item.peer.name} (offline)${kept}`;
}

/** A local date and time to the minute: `2024-05-01 14:03`; nothing for 0. */
export function formatDate(ms: number): string {
  if (!ms) return "";
  const d = new Date(ms);
  const date = `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
  return `${date} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}
