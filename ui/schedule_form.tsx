/** @jsxImportSource preact */
/** Adding a schedule: its name, days, hours and limits, read by `readDraft` before it is sent. */
import type { JSX } from "preact";
import { useId, useState } from "preact/hooks";
import type { BandwidthStatus, Schedule } from "../src/api/light.ts";
import { useApp } from "./context.ts";
import { addSchedule, EMPTY_DRAFT, readDraft, type ScheduleDraft } from "./schedule_draft.ts";
import { ErrorNote } from "./status.tsx";
import { useAction } from "./use_action.ts";

/** A field of the form, with its label and hint. */
interface Field {
  key: keyof ScheduleDraft;
  label: string;
  type: "text" | "time";
  placeholder?: string;
}

/** The fields, in two lines: when, then what. */
const WHEN: readonly Field[] = [
  { key: "name", label: "Name", type: "text", placeholder: "evenings" },
  { key: "days", label: "Days", type: "text", placeholder: "mon-fri, sat,sun, daily" },
  { key: "from", label: "From", type: "time" },
  { key: "to", label: "To", type: "time" },
];
const WHAT: readonly Field[] = [
  { key: "upload", label: "Upload", type: "text", placeholder: "as above" },
  { key: "download", label: "Download", type: "text", placeholder: "as above" },
];

/** The form; `schedules` are those the daemon has, the new one goes last. */
export function ScheduleForm({ schedules, onAnswer }: {
  schedules: readonly Schedule[];
  onAnswer: (status: BandwidthStatus) => void;
}): JSX.Element {
  const { client } = useApp();
  const action = useAction();
  const id = useId();
  const [draft, setDraft] = useState<ScheduleDraft>(EMPTY_DRAFT);
  const submit = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      const list = addSchedule(schedules, readDraft(draft));
      onAnswer(await client.setBandwidth({ schedules: list }));
      setDraft(EMPTY_DRAFT);
    });
  };
  const input = { id, draft, onChange: setDraft };
  return (
    <form class="schedule-form" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h3 class="subhead" id={`${id}-title`}>Add a schedule</h3>
      <div class="fields">
        {WHEN.map((field) => <DraftInput key={field.key} field={field} {...input} />)}
      </div>
      <div class="fields">
        {WHAT.map((field) => <DraftInput key={field.key} field={field} {...input} />)}
        <button type="submit" disabled={action.busy} data-testid="schedule-add">
          Add schedule
        </button>
      </div>
      {action.error !== undefined && <ErrorNote error={action.error} />}
    </form>
  );
}

function DraftInput({ field, id, draft, onChange }: {
  field: Field;
  /** The form's id: the input's is made from it. */
  id: string;
  draft: ScheduleDraft;
  onChange: (change: (draft: ScheduleDraft) => ScheduleDraft) => void;
}): JSX.Element {
  const { key, label, type, placeholder } = field;
  return (
    <div class="field">
      <label class="label" for={`${id}-${key}`}>{label}</label>
      <input
        id={`${id}-${key}`}
        type={type}
        value={draft[key]}
        placeholder={placeholder}
        onInput={(event) => {
          const value = event.currentTarget.value;
          onChange((d) => ({ ...d, [key]: value }));
        }}
        data-testid={`schedule-input-${key}`}
        autocomplete="off"
        spellcheck={false}
      />
    </div>
  );
}
