/** @jsxImportSource preact */
/** The Transfers screen: downloads, then uploads, then the history of finished transfers. */
import type { JSX } from "preact";
import { Downloads } from "./downloads.tsx";
import { History } from "./history.tsx";
import { Uploads } from "./uploads.tsx";

/** The Transfers screen. */
export function Transfers(): JSX.Element {
  return (
    <div class="screen">
      <Downloads />
      <Uploads />
      <History />
    </div>
  );
}
