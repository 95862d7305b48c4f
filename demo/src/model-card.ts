import type { BundleInfo } from 'featurecast';
import { formatCount } from './format.js';

/** The model card: what the model is, what it was trained and tested on, and what it cannot know. */

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function range(from: string | undefined, to: string | undefined): string {
  return from && to ? `${from} to ${to}` : (from ?? to ?? 'unknown dates');
}

export function renderModelCard(section: HTMLElement, info: BundleInfo, runtime: string, typicalSource: string): void {
  const { training } = info;
  const holdout = info.metrics?.holdout;
  const unit = info.output.unit ?? '';
  const years = Object.keys(info.levelByYear ?? {}).sort();
  const lastYear = years[years.length - 1];
  const firstYear = training.from?.slice(0, 4) ?? years[0] ?? '';
  const trainedTo = training.to?.slice(0, 4) ?? lastYear ?? '';
  const accuracy =
    holdout?.mae !== undefined && holdout.rmse !== undefined && holdout.r2 !== undefined && holdout.bias !== undefined
      ? `<dd>On ${holdout.rows} days it did not learn from (${esc(range(holdout.from, holdout.to))}): typical error (MAE)
        <strong>${formatCount(holdout.mae)}</strong> ${esc(unit)}, RMSE ${formatCount(holdout.rmse)},
        R² <strong>${holdout.r2.toFixed(2)}</strong>, bias ${holdout.bias > 0 ? '+' : ''}${formatCount(holdout.bias)}.</dd>`
      : '<dd>No holdout metrics were published with this model.</dd>';
  section.innerHTML = `
    <h2 id="card-title">About the model</h2>
    <dl class="facts">
      <dt>Model</dt>
      <dd><strong>${esc(info.name)}</strong> version <strong class="model-version">${esc(info.version)}</strong>, built ${esc(info.createdAt.slice(0, 10))}.
        Runs ${runtime === 'worker' ? 'in a Web Worker' : 'on the page'}, on your device, on
        <span class="engine">${info.engine === 'trees' ? 'featurecast’s built-in tree engine' : 'onnxruntime-web'}</span>.</dd>
      <dt>Training data</dt>
      <dd>${esc(training.dataset)}: ${formatCount(training.rows)} days, ${esc(range(training.from, training.to))}.
        <span class="small">${esc(training.split)}</span></dd>
      <dt>Accuracy</dt>
      ${accuracy}
      <dt>Demand level</dt>
      <dd>Scale <strong class="level-scale">×${info.levelScale.toFixed(2)}</strong>: ${
        info.levelScale === 1
          ? 'as trained. An app can calibrate it with a few weeks of its own counts (<code>predictor.calibrate</code>); this page does not.'
          : 'calibrated from recent actual counts (<code>predictor.calibrate</code>); the trained level is ×1.00.'
      }</dd>
      <dt>Busyness levels</dt>
      <dd>${esc(info.output.bands?.description ?? 'Not defined for this model.')}</dd>
      <dt>Default weather</dt>
      <dd>${esc(typicalSource || 'Typical weather per day of year from the training data.')}</dd>
    </dl>
    <h3>What the model cannot know</h3>
    <ul class="limits">
      <li>It learned from one city and two years: Capital Bikeshare in Washington, DC, ${esc(firstYear)}–${esc(trainedTo)}.
        Other cities and today’s network size are outside what it saw.</li>
      <li>${lastYear ? `Days after ${esc(lastYear)} assume the ${esc(lastYear)} demand level: growth or decline since then is unknown.` : 'It has no demand level per year.'}</li>
      <li>The weather is what you enter. The defaults are averages for the time of year, not a weather forecast.</li>
      <li>Events, strikes, storms, closed stations or price changes are invisible to it
        (on 29 October 2012, Hurricane Sandy, 22 bikes were rented).</li>
    </ul>
    ${training.citation ? `<p class="small citation">Data citation: ${esc(training.citation)}</p>` : ''}
    <p class="small">Model file sha256 <code>${esc(info.modelSha256.slice(0, 16))}…</code></p>`;
}
