// Reports (docs/reports.md): a period's figures beside the period before, for admins of everyone, for an agent
// their own chats. Each chart is plain SVG drawn here, with its table behind it (for screen readers, and to
// read exact numbers) and its CSV download.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { controller } from "../controller";
import { locale } from "../language";
import {
  change,
  defaultPeriod,
  formatNumber,
  formatSeconds,
  gridMax,
  heat,
  periodProblem,
  presetPeriod,
  PRESETS,
  ReportAnswer,
  reportCsvPath,
  reportPath,
  scaleMax,
  stack,
  type Report,
  type ReportTable,
  type Summary,
} from "../reports";
import { errorText, t, userName } from "../strings";
import { DateRange, download, SearchForm } from "./Archive";

type Feedback = { text: string; kind: "info" | "error" } | null;

const number = (n: number | null) => formatNumber(n, locale);
const seconds = (value: number | null) => formatSeconds(value, locale, t.reports);

function dayText(day: string, style: "short" | "long" = "short"): string {
  const options: Intl.DateTimeFormatOptions = style === "short" ? { day: "numeric", month: "short" } : { dateStyle: "medium" };
  return new Date(`${day}T00:00:00Z`).toLocaleDateString(locale, { ...options, timeZone: "UTC" });
}

function Csv({ from, to, table, onDone }: { from: string; to: string; table: ReportTable; onDone: (f: Feedback) => void }) {
  const save = async () => {
    const failed = await download(reportCsvPath(from, to, table), `wschat-report-${table}-${from}-${to}.csv`);
    onDone(failed ? { text: failed, kind: "error" } : { text: t.reports.downloaded, kind: "info" });
  };
  return (
    <button type="button" class="link" data-csv={table} onClick={() => void save()}>
      {t.reports.csv}
    </button>
  );
}

function Chart(props: { id: string; title: string; csv: ComponentChildren; chart: ComponentChildren; table: ComponentChildren }) {
  return (
    <section class="card report" aria-labelledby={`${props.id}-title`} data-report={props.id}>
      <header class="page-head">
        <h2 id={`${props.id}-title`}>{props.title}</h2>
        {props.csv}
      </header>
      {props.chart}
      <details>
        <summary>{t.reports.table}</summary>
        {props.table}
      </details>
    </section>
  );
}

function SummaryTable({ report }: { report: Report }) {
  const r = t.reports;
  const f = r.figures;
  const now = report.current;
  const then = report.previous;
  const rows: [string, (s: Summary) => number | null, boolean][] = [
    [f.chats, (s) => s.chats, false],
    [f.answered, (s) => s.answered, false],
    [f.missed, (s) => s.missed, false],
    [f.offline, (s) => s.offline, false],
    [f.waitMedian, (s) => s.wait.median, true],
    [f.waitP90, (s) => s.wait.p90, true],
    [f.firstMedian, (s) => s.first_response.median, true],
    [f.firstP90, (s) => s.first_response.p90, true],
    [f.durationMedian, (s) => s.duration.median, true],
    [f.durationP90, (s) => s.duration.p90, true],
    [f.transfers, (s) => s.transfers, false],
    [f.calls, (s) => s.calls, false],
    [f.callMinutes, (s) => s.call_minutes, false],
    [f.visitors, (s) => s.visitors, false],
    [f.chatted, (s) => s.visitors_chatted, false],
  ];
  const shown = rows.filter(([, get]) => get(now) !== null || get(then) !== null);
  const period = (p: Report["period"]) => r.period(dayText(p.from, "long"), dayText(p.to, "long"));
  return (
    <table class="table report-summary">
      <caption class="visually-hidden">{r.summary}</caption>
      <thead>
        <tr>
          <th scope="col">{r.figure}</th>
          <th scope="col">
            {r.current} <span class="hint">({period(report.period)})</span>
          </th>
          <th scope="col">
            {r.previous} <span class="hint">({period(report.previous_period)})</span>
          </th>
          <th scope="col">{r.change}</th>
        </tr>
      </thead>
      <tbody>
        {shown.map(([label, get, time]) => {
          const delta = change(get(now), get(then));
          return (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{time ? seconds(get(now)) : number(get(now))}</td>
              <td>{time ? seconds(get(then)) : number(get(then))}</td>
              <td>{delta === null ? "—" : `${delta > 0 ? "+" : ""}${number(delta)} %`}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

const W = 600;
const H = 160;

function DaysChart({ report }: { report: Report }) {
  const r = t.reports;
  const days = report.days;
  const max = scaleMax(days.map((d) => d.answered + d.missed + d.offline));
  const width = W / Math.max(1, days.length);
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H + 16}`} role="img" aria-label={r.perDay}>
      <text x={2} y={10} class="axis">
        {number(max)}
      </text>
      <line x1={0} x2={W} y1={H} y2={H} class="axis-line" />
      {days.map((day, n) => (
        <g key={day.day}>
          <title>{`${dayText(day.day)}: ${r.figures.answered} ${day.answered}, ${r.figures.missed} ${day.missed}, ${r.figures.offline} ${day.offline}`}</title>
          {stack(day, max, H).map((s) => (
            <rect key={s.key} class={`bar-${s.key}`} x={n * width + width * 0.1} width={width * 0.8} y={s.y} height={s.height} />
          ))}
        </g>
      ))}
      {days.length > 0 && (
        <>
          <text x={2} y={H + 14} class="axis">
            {dayText(days[0]!.day)}
          </text>
          <text x={W - 2} y={H + 14} class="axis" text-anchor="end">
            {dayText(days[days.length - 1]!.day)}
          </text>
        </>
      )}
    </svg>
  );
}

function DaysTable({ report }: { report: Report }) {
  const r = t.reports;
  return (
    <table class="table">
      <caption>{r.perDay}</caption>
      <thead>
        <tr>
          <th scope="col">{r.day}</th>
          <th scope="col">{r.figures.answered}</th>
          {report.scope === "tenant" && <th scope="col">{r.figures.missed}</th>}
          {report.scope === "tenant" && <th scope="col">{r.figures.offline}</th>}
        </tr>
      </thead>
      <tbody>
        {report.days.map((d) => (
          <tr key={d.day} data-day={d.day}>
            <th scope="row">{dayText(d.day, "long")}</th>
            <td>{number(d.answered)}</td>
            {report.scope === "tenant" && <td>{number(d.missed)}</td>}
            {report.scope === "tenant" && <td>{number(d.offline)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const CELL = 20;

function HeatMap({ grid }: { grid: number[][] }) {
  const r = t.reports;
  const max = gridMax(grid);
  const left = 90;
  return (
    <svg class="chart heat" viewBox={`0 0 ${left + 24 * CELL} ${7 * CELL + 16}`} role="img" aria-label={r.heatmap}>
      {grid.map((row, day) => (
        <g key={day}>
          <text x={left - 6} y={day * CELL + 14} class="axis" text-anchor="end">
            {r.weekdays[day]}
          </text>
          {row.map((value, hour) => (
            <rect key={hour} class={`heat-${heat(value, max)}`} x={left + hour * CELL} y={day * CELL} width={CELL - 2} height={CELL - 2}>
              <title>{`${r.weekdays[day]} ${String(hour).padStart(2, "0")}:00: ${number(value)}`}</title>
            </rect>
          ))}
        </g>
      ))}
      {[0, 6, 12, 18].map((hour) => (
        <text key={hour} x={left + hour * CELL} y={7 * CELL + 12} class="axis">
          {`${String(hour).padStart(2, "0")}:00`}
        </text>
      ))}
    </svg>
  );
}

function HoursTable({ grid }: { grid: number[][] }) {
  const r = t.reports;
  return (
    <div class="table-scroll">
      <table class="table hours">
        <caption>{r.heatmap}</caption>
        <thead>
          <tr>
            <th scope="col">{r.weekday}</th>
            {grid[0]?.map((_, hour) => (
              <th scope="col" key={hour}>
                {String(hour).padStart(2, "0")}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {grid.map((row, day) => (
            <tr key={day}>
              <th scope="row">{r.weekdays[day]}</th>
              {row.map((value, hour) => (
                <td key={hour}>{number(value)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Horizontal bars with a label each (agents, pages). */
function Bars({ title, items }: { title: string; items: { label: string; value: number }[] }) {
  const max = scaleMax(items.map((i) => i.value));
  const row = 22;
  const left = 200;
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${Math.max(1, items.length) * row}`} role="img" aria-label={title}>
      {items.map((item, n) => (
        <g key={item.label}>
          <text x={left - 6} y={n * row + 15} class="axis" text-anchor="end">
            {item.label.length > 30 ? `${item.label.slice(0, 29)}…` : item.label}
          </text>
          <rect class="bar-answered" x={left} y={n * row + 3} height={row - 6} width={((W - left - 40) * item.value) / max} />
          <text x={left + ((W - left - 40) * item.value) / max + 4} y={n * row + 15} class="axis">
            {number(item.value)}
          </text>
        </g>
      ))}
    </svg>
  );
}

function AgentsTable({ report }: { report: Report }) {
  const r = t.reports;
  return (
    <table class="table">
      <caption>{r.perAgent}</caption>
      <thead>
        <tr>
          <th scope="col">{r.agent}</th>
          <th scope="col">{r.figures.answered}</th>
          <th scope="col">{r.responseMedian}</th>
          <th scope="col">{r.figures.transfers}</th>
        </tr>
      </thead>
      <tbody>
        {report.agents.map((a) => (
          <tr key={a.agent_id} data-agent={a.agent_id}>
            <th scope="row">{userName(a.name)}</th>
            <td>{number(a.answered)}</td>
            <td>{seconds(a.response_median)}</td>
            <td>{number(a.transfers)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function PagesTable({ report }: { report: Report }) {
  const r = t.reports;
  return (
    <table class="table">
      <caption>{r.pages}</caption>
      <thead>
        <tr>
          <th scope="col">{r.page}</th>
          <th scope="col">{r.figures.chats}</th>
        </tr>
      </thead>
      <tbody>
        {report.pages.map((p) => (
          <tr key={p.path}>
            <th scope="row">
              <code>{p.path}</code>
            </th>
            <td>{number(p.chats)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Charts({ report, onDone }: { report: Report; onDone: (f: Feedback) => void }) {
  const r = t.reports;
  const { from, to } = report.period;
  const csv = (table: ReportTable) => <Csv from={from} to={to} table={table} onDone={onDone} />;
  return (
    <>
      <section class="card report" aria-labelledby="report-summary-title" data-report="summary">
        <header class="page-head">
          <h2 id="report-summary-title">{r.summary}</h2>
          {csv("summary")}
        </header>
        <SummaryTable report={report} />
      </section>
      <Chart id="days" title={r.perDay} csv={csv("days")} chart={<DaysChart report={report} />} table={<DaysTable report={report} />} />
      <Chart id="hours" title={r.heatmap} csv={csv("hours")} chart={<HeatMap grid={report.hours} />} table={<HoursTable grid={report.hours} />} />
      <Chart
        id="agents"
        title={r.perAgent}
        csv={csv("agents")}
        chart={<Bars title={r.perAgent} items={report.agents.map((a) => ({ label: userName(a.name), value: a.answered }))} />}
        table={<AgentsTable report={report} />}
      />
      {report.scope === "tenant" && (
        <Chart
          id="pages"
          title={r.pages}
          csv={csv("pages")}
          chart={<Bars title={r.pages} items={report.pages.map((p) => ({ label: p.path, value: p.chats }))} />}
          table={<PagesTable report={report} />}
        />
      )}
    </>
  );
}

export function Reports() {
  const r = t.reports;
  const [period, setPeriod] = useState(defaultPeriod(new Date()));
  const [report, setReport] = useState<Report | null>(null);
  const [feedback, setFeedback] = useState<Feedback>(null);

  const load = async (from: string, to: string) => {
    const problem = periodProblem(from, to);
    if (problem) return setFeedback({ text: r.problems[problem] ?? problem, kind: "error" });
    setFeedback({ text: r.loading, kind: "info" });
    const answer = await controller.api.call("GET", reportPath(from, to), ReportAnswer);
    if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
    setFeedback(null);
    setReport(answer.value);
  };
  useEffect(() => {
    void load(period.from, period.to);
  }, []);

  return (
    <section class="page reports" aria-labelledby="reports-title">
      <header class="page-head">
        <h1 id="reports-title">{r.title}</h1>
      </header>
      <p class="hint">{report?.scope === "agent" ? `${r.hint} ${r.own}` : r.hint}</p>
      <div class="report-presets" role="group" aria-label={r.presetsLabel}>
        {PRESETS.map((preset) => (
          <button
            type="button"
            key={preset}
            onClick={() => {
              const chosen = presetPeriod(preset, new Date());
              setPeriod(chosen);
              void load(chosen.from, chosen.to);
            }}
          >
            {r.presets[preset]}
          </button>
        ))}
      </div>
      <SearchForm onSearch={() => void load(period.from, period.to)}>
        <DateRange labels={r} from={period.from} to={period.to} set={(patch) => setPeriod({ ...period, ...patch })} />
        <button type="submit" class="primary">
          {r.show}
        </button>
      </SearchForm>
      {feedback && (
        <p class={feedback.kind === "error" ? "error" : "ok"} role={feedback.kind === "error" ? "alert" : "status"}>
          {feedback.text}
        </p>
      )}
      {report && report.current.chats + (report.current.offline ?? 0) === 0 && <p class="hint">{r.none}</p>}
      {report && <Charts report={report} onDone={setFeedback} />}
    </section>
  );
}
