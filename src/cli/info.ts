import type { BundleInfo } from '../schema/info.js';

/** `featurecast info` as text: a person reads this, scripts use `--json`. */
export function describeInfo(info: BundleInfo): string {
  const lines = [`${info.name} ${info.version} (created ${info.createdAt})`];
  if (info.description) lines.push(info.description);
  lines.push('', 'Inputs:');
  const width = Math.max(...info.inputs.map((f) => f.name.length));
  for (const f of info.inputs) {
    let detail: string;
    if (f.type === 'category') detail = f.values.join(' | ');
    else if (f.type === 'boolean') detail = '';
    else detail = `${f.range.min}..${f.range.max}${'unit' in f && f.unit ? ` ${f.unit}` : ''} (outside: ${f.outOfRange})`;
    const head = `  ${f.name.padEnd(width)}  ${f.type.padEnd(8)}  ${f.required ? 'required' : 'optional'}`;
    lines.push(`${head}  ${detail}`.trimEnd());
    if (f.description) lines.push(`  ${' '.repeat(width)}  ${f.description}`);
  }
  const { output } = info;
  lines.push(
    '',
    `Output: ${output.name}${output.unit ? ` (${output.unit})` : ''}${output.labels ? `, one of ${output.labels.join(', ')}, with probabilities` : ''}`,
  );
  if (output.bands)
    lines.push(`  ${output.bands.name}: ${output.bands.labels.join(', ')} (thresholds ${output.bands.thresholds.join(', ')})`);
  const t = info.training;
  lines.push('', `Trained on: ${t.dataset}, ${t.rows} rows${t.from && t.to ? `, ${t.from}..${t.to}` : ''}`);
  for (const [name, m] of Object.entries(info.metrics ?? {})) {
    const span = m.from && m.to ? `, ${m.from}..${m.to}` : '';
    lines.push(`  ${name}: MAE ${m.mae}, RMSE ${m.rmse}, R² ${m.r2} (${m.rows} rows${span})`);
  }
  lines.push(
    '',
    `Model: ${info.columns.length} columns, sha256 ${info.modelSha256}, run by ${info.engine === 'trees' ? 'the built-in tree engine' : 'onnxruntime-web'}`,
  );
  return `${lines.join('\n')}\n`;
}
