/** @jsxImportSource preact */
/**
 * The Limits card of the Transfers screen: the upload and download limits outside schedules, and
 * the schedules, listed, added and removed. Every change goes through `setBandwidth`; the card
 * shows the daemon's answer.
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { LimitsChange, Schedule } from "../src/api/light.ts";
import { Badge } from "./badge.tsx";
import { FIRST_LIMIT_INPUT } from "./bandwidth_header.tsx";
import type { BandwidthView } from "./bandwidth_view.ts";
import { useApp } from "./context.ts";
import { rateInputText, readRate } from "./rates.ts";
import { removeSchedule, scheduleLimits, scheduleWhen } from "./schedule_draft.ts";
import { ScheduleForm } from "./schedule_form.tsx";
import { Empty, ErrorNote, Loading } from "./status.tsx";
import { useAction } from "./use_action.ts";
import type { Bandwidth } from "./use_bandwidth.ts";

/** The limits card. */
export function Limits({ bandwidth }: { bandwidth: Bandwidth }): JSX.Element {
  const view = bandwidth.data;
  return (
    <section class="card" aria-labelledby="limits-title" data-testid="limits">
      <h2 id="limits-title">Limits</h2>
      {view
        ? <LimitsBody view={view} onAnswer={bandwidth.answered} />
        : bandwidth.error !== undefined
        ? <ErrorNote error={bandwidth.error} onRetry={bandwidth.reload} />
        : <Loading />}
    </section>
  );
}

/** Where the daemon's answer to a change goes. */
type OnAnswer = Bandwidth["answered"];

function LimitsBody({ view, onAnswer }: { view: BandwidthView; onAnswer: OnAnswer }): JSX.Element {
  return (
    <>
      <LimitsForm view={view} onAnswer={onAnswer} />
      <h3 class="subhead">Schedules</h3>
      <p class="sub">
        Other limits for some hours of the week, in the daemon's local time. The first schedule that
        holds wins; a rate left empty keeps the limit above.
      </p>
      <ScheduleList view={view} onAnswer={onAnswer} />
      <ScheduleForm schedules={view.status.schedules} onAnswer={onAnswer} />
    </>
  );
}

function LimitsForm({ view, onAnswer }: { view: BandwidthView; onAnswer: OnAnswer }): JSX.Element {
  const { client } = useApp();
  const action = useAction();
  const { limits } = view.status;
  // what is typed; undefined: the input shows the limit the daemon has
  const [upload, setUpload] = useState<string | undefined>(undefined);
  const [download, setDownload] = useState<string | undefined>(undefined);
  const submit = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      const change: LimitsChange = {};
      if (upload !== undefined) change.upload = readRate(upload, "Upload limit");
      if (download !== undefined) change.download = readRate(download, "Download limit");
      onAnswer(await client.setBandwidth(change));
      setUpload(undefined);
      setDownload(undefined);
    });
  };
  return (
    <form class="limits-form" onSubmit={submit}>
      <p class="sub">
        Outside schedules. Type a rate such as 5MB/s or 500KiB/s, or unlimited.
      </p>
      <div class="fields">
        <div class="field">
          <label class="label" for={FIRST_LIMIT_INPUT}>Upload limit</label>
          <input
            id={FIRST_LIMIT_INPUT}
            type="text"
            value={upload ?? rateInputText(limits.upload)}
            onInput={(event) => setUpload(event.currentTarget.value)}
            data-testid="limit-upload"
            autocomplete="off"
            spellcheck={false}
          />
        </div>
        <div class="field">
          <label class="label" for="limit-download">Download limit</label>
          <input
            id="limit-download"
            type="text"
            value={download ?? rateInputText(limits.download)}
            onInput={(event) => setDownload(event.currentTarget.value)}
            data-testid="limit-download"
            autocomplete="off"
            spellcheck={false}
          />
        </div>
        <button
          type="submit"
          disabled={action.busy || (upload === undefined && download === undefined)}
          data-testid="limits-save"
        >
          Save limits
        </button>
      </div>
      {action.error !== undefined && <ErrorNote error={action.error} />}
    </form>
  );
}

function ScheduleList(
  { view, onAnswer }: { view: BandwidthView; onAnswer: OnAnswer },
): JSX.Element {
  const { client } = useApp();
  const action = useAction();
  const { schedules, inForce } = view.status;
  const remove = (name: string) =>
    void action.run(async () => {
      onAnswer(await client.setBandwidth({ schedules: removeSchedule(schedules, name) }));
    });
  if (schedules.length === 0) return <Empty>No schedules: the limits above always hold.</Empty>;
  return (
    <>
      {action.error !== undefined && <ErrorNote error={action.error} />}
      <ul class="rows" data-testid="schedules">
        {schedules.map((s) => (
          <ScheduleRow
            key={s.name}
            schedule={s}
            inForce={inForce.schedule === s.name}
            busy={action.busy}
            onRemove={remove}
          />
        ))}
      </ul>
    </>
  );
}

function ScheduleRow({ schedule, inForce, busy, onRemove }: {
  schedule: Schedule;
  inForce: boolean;
  busy: boolean;
  onRemove: (name: string) => void;
}): JSX.Element {
  return (
    <li class="row" data-testid={`schedule-row-${schedule.name}`}>
      <div class="grow">
        <div class="title-line">
          <span class="title">{schedule.name}</span>
          {inForce && <Badge state="in-force" label="in force" />}
        </div>
        <div class="sub">{scheduleWhen(schedule)}</div>
        <div class="sub">{scheduleLimits(schedule)}</div>
      </div>
      <button
        type="button"
        class="quiet"
        disabled={busy}
        onClick={() => onRemove(schedule.name)}
        aria-label={`Remove the schedule ${schedule.name}`}
        data-testid={`remove-schedule-${schedule.name}`}
      >
        Remove
      </button>
    </li>
  );
}
