/** @jsxImportSource preact */
/** The download queue, kept live by `download` and `download-removed` events. */
import type { JSX } from "preact";
import { useRef } from "preact/hooks";
import type { DownloadItem } from "../src/api/light.ts";
import { useApp } from "./context.ts";
import { DownloadCard } from "./download_card.tsx";
import { downloadOrder } from "./download_order.ts";
import { useNodeEvent } from "./events.ts";
import { upsert, without } from "./lists.ts";
import { ListOf } from "./status.tsx";
import { useLoad } from "./use_load.ts";

/** The downloads card. */
export function Downloads(): JSX.Element {
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
  const onChange = (item: DownloadItem | string) =>
    typeof item === "string" ? remove(item) : change(item);
  return (
    <section class="card">
      <h2>Downloads</h2>
      <ListOf loaded={downloads} empty="Nothing downloading: browse a peer and pick something.">
        {(items) => (
          <ul class="rows">
            {[...items].sort(downloadOrder).map((item) => (
              <DownloadCard key={item.id} item={item} onChange={onChange} />
            ))}
          </ul>
        )}
      </ListOf>
    </section>
  );
}

function idOf(item: DownloadItem): string {
  return item.id;
}
