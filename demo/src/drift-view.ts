import type { DriftStatus, MonitorSnapshot } from 'featurecast';
import { LABELS } from './days-view.js';
import type { DriftSample } from './drift.js';
import { h } from './dom.js';
import { formatCount } from './format.js';
import type { Shift } from './shift.js';

/**
 * "Is the model still on familiar ground?": the monitor's verdict on the drift sample, overall
 * and per input (PSI, status in colour AND words, days outside the training range), with the
 * measure explained in plain words. Nothing here takes focus: it only reports.
 */

const el = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const WORDS: Record<DriftStatus, string> = { ok: 'OK', warn: 'Warn', alert: 'Alert', 'insufficient-data': 'Too few days' };

const pill = (status: DriftStatus) =>
  h('span', { className: `drift-pill status-${status}` }, h('span', { className: 'dot', ariaHidden: 'true' }), WORDS[status]);
const fieldLabel = (name: string) => (LABELS as Record<string, string>)[name] ?? name;
const monthYear = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
const month = (iso: string) => monthYear.format(new Date(`${iso}T00:00:00Z`));

function listWords(names: string[]): string {
  const words = names.map((n) => fieldLabel(n).toLowerCase());
  return words.length < 2 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

export function showDriftChecking(shift: Shift): void {
  const section = el('drift');
  section.setAttribute('aria-busy', 'true');
  section.dataset.checking = shift.id;
}

function summary(snapshot: NonNullable<MonitorSnapshot['drift']>): (Node | string)[] {
  const { status, fields, records, thresholds } = snapshot;
  const flagged = (level: DriftStatus) => Object.keys(fields).filter((name) => fields[name]!.status === level);
  switch (status) {
    case 'ok':
      return [pill(status), ' The weather looks like the weather the model learned from.'];
    case 'warn':
      return [
        pill(status),
        ` Some inputs look different from the training weather (${listWords(flagged('warn')) || 'the predictions'}): worth a look.`,
      ];
    case 'alert':
      return [
        pill(status),
        ` The model is being asked about weather it rarely or never saw (${listWords(flagged('alert')) || 'the predictions'}): trust its forecasts less.`,
      ];
    default:
      return [pill(status), ` Not enough days to judge yet: ${records} of the ${thresholds.minRecords} needed.`];
  }
}

function sampleNote(sample: DriftSample, shift: Shift, records: number): string {
  const days = `Checked on ${formatCount(records)} days`;
  if (sample.kind === 'typical') {
    return `${days} of typical weather (averages for each day of the year), ${shift.phrase}. This page was built without the daily weather data: averages vary far less from day to day than real weather, so humidity, wind and condition look unfamiliar even unshifted.`;
  }
  const what = `${days}: the real weather of every day from ${month(sample.from)} to ${month(sample.to)}, the days the model learned from`;
  return shift.degrees === 0 && shift.humidity === 0
    ? `${what}, predicted here in your browser. Unshifted, this is the training weather itself, so every PSI is 0. Choose a weather shift above to see what changes.`
    : `${what}, ${shift.phrase}, predicted here in your browser.`;
}

export function showDrift(snapshot: MonitorSnapshot, sample: DriftSample, shift: Shift): void {
  const section = el('drift');
  const drift = snapshot.drift;
  section.removeAttribute('aria-busy');
  section.dataset.shift = shift.id;
  section.dataset.status = drift?.status ?? 'none';
  el('drift-table').hidden = !drift;
  if (!drift) {
    el('drift-summary').replaceChildren(
      'This model was published without reference statistics from its training data, so drift cannot be checked.',
    );
    el('drift-sample').textContent = '';
    return;
  }
  el('drift-summary').replaceChildren(...summary(drift));
  el('drift-sample').textContent = sampleNote(sample, shift, drift.records);
  const rows = Object.entries(drift.fields).map(([name, field]) => {
    const outside = field.outOfRange + field.unknownCategory;
    const row = h(
      'tr',
      {},
      h('th', { scope: 'row' }, fieldLabel(name)),
      h('td', { className: 'num' }, field.psi.toFixed(2)),
      h('td', {}, pill(field.status)),
      h('td', { className: 'num' }, outside ? formatCount(outside) : 'none'),
    );
    row.dataset.field = name;
    row.dataset.status = field.status;
    return row;
  });
  // The bundled model always carries an output reference; a bundle made without data would not.
  const out = drift.output ?? { psi: 0, status: 'ok' as const };
  const output = h(
    'tr',
    { className: 'output-row' },
    h('th', { scope: 'row' }, 'Predicted rentals'),
    h('td', { className: 'num' }, out.psi.toFixed(2)),
    h('td', {}, pill(out.status)),
    h('td', { className: 'num' }, h('span', { ariaHidden: 'true' }, '–'), h('span', { className: 'visually-hidden' }, 'not applicable')),
  );
  output.dataset.field = 'output';
  output.dataset.status = out.status;
  el('drift-rows').replaceChildren(...rows, output);
  const { warn, alert, minRecords } = drift.thresholds;
  el('drift-explain').textContent =
    `How to read it: PSI (population stability index) splits the training days into ten equal bands of each input and compares how the checked days fall into those bands. ` +
    `0 means the same spread. Below ${warn} is OK; ${warn} to ${alert} is Warn, worth a look; ${alert} or more is Alert. It needs at least ${minRecords} days. ` +
    `A value outside the training range is clipped to its edge: the model answers as if the day were at the edge of what it saw. ` +
    `“Predicted rentals” compares the spread of the forecasts with the training counts: it moves when the inputs do.`;
}

export function showDriftFailed(error: unknown): void {
  const section = el('drift');
  section.removeAttribute('aria-busy');
  section.dataset.status = 'failed';
  el('drift-summary').textContent = `The check could not run: ${(error as Error)?.message ?? String(error)}`;
}
