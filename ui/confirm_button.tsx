/** @jsxImportSource preact */
/**
 * A button for an action that cannot be undone: it asks inline ("Really remove? Yes / No") before
 * it acts, focus on No, Escape to step back.
 */
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

/** What {@link ConfirmButton} shows and does. */
export interface ConfirmButtonProps {
  /** The button's text, before it asks. */
  children: ComponentChildren;
  /** The question asked, such as "Really cancel?". */
  question: string;
  onConfirm: () => void;
  disabled?: boolean;
  /** The button's class; default `quiet danger`. */
  class?: string;
  /** An accessible name for the button, when its text alone is not enough. */
  label?: string;
  /** The button's test id; Yes and No get `-yes` and `-no` after it. */
  testid: string;
}

/** The button, or once pressed its question with Yes and No. */
export function ConfirmButton(props: ConfirmButtonProps): JSX.Element {
  const [asking, setAsking] = useState(false);
  const no = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) no.current?.focus();
  }, [asking]);
  if (!asking) {
    return (
      <button
        type="button"
        class={props.class ?? "quiet danger"}
        disabled={props.disabled}
        aria-label={props.label}
        onClick={() => setAsking(true)}
        data-testid={props.testid}
      >
        {props.children}
      </button>
    );
  }
  return (
    <span
      class="confirm"
      role="group"
      aria-label={props.question}
      onKeyDown={(event) => event.key === "Escape" && setAsking(false)}
    >
      <span class="confirm-question">{props.question}</span>
      <button
        type="button"
        class="quiet danger"
        disabled={props.disabled}
        onClick={() => {
          setAsking(false);
          props.onConfirm();
        }}
        data-testid={`${props.testid}-yes`}
      >
        Yes
      </button>
      <button
        type="button"
        class="quiet"
        ref={no}
        onClick={() => setAsking(false)}
        data-testid={`${props.testid}-no`}
      >
        No
      </button>
    </span>
  );
}
