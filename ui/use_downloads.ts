/**
 * The download list, loaded once and kept current by `download` and `download-removed` events;
 * kept by the shell for the Transfers screen, the tab bar and the Downloaded marks of Browse and
 * Search.
 */
import { useRef } from "preact/hooks";
import type { DownloadItem } from "../src/api/light.ts";
import { useApp } from "./context.ts";
import { useNodeEvent } from "./events.ts";
import { upsert, without } from "./lists.ts";
import { type Loaded, useLoad } from "./use_load.ts";

/** What {@link useDownloads} gives: the list, and where answers to actions go. */
export interface DownloadList extends Loaded<DownloadItem[]> {
  /** Takes an item an action answered, or the id of one removed. */
  changed(item: DownloadItem | string): void;
}

/** The node's downloads, live. */
export function useDownloads(): DownloadList {
  const { client } = useApp();
  const downloads = useLoad(() => client.downloads(), []);
  // ids are never reused: an update that arrives after the removal must not bring an item back
  const removed = useRef(new Set<string>());
  const remove = (id: string) => {
    removed.current.add(id);
    downloads.update((list) => without(list, id, idOf));
  };
  const change = (item: DownloadItem) => {
    if (!removed.current.has(item.id)) downloads.update((list) => upsert(list, item, idOf));
  };
  useNodeEvent((event) => {
    if (event.type === "download") change(event.item);
    if (event.type === "download-removed") remove(event.id);
  });
  const changed = (item: DownloadItem | string) =>
    typeof item === "string" ? remove(item) : change(item);
  return { ...downloads, changed };
}

function idOf(item: DownloadItem): string {
  return item.id;
}
