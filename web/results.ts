// Results: a `persian-rug sweep` results file (JSON Lines) dropped or chosen here gives the figures of `persian-rug
// plot`: the same Vega-Lite specs (persian-rug/figures, made in a compute worker) drawn by vega-embed, with values on
// hover, each exportable as SVG or PNG (2x). vega-embed loads only when a file is first shown.
import { $, download } from './format.js';
import { compute } from './shared.js';

async function show(text: string, name: string): Promise<void> {
  const status = $('results-status');
  const host = $('figures');
  host.innerHTML = '';
  status.textContent = `${name}: reading and making the figures ...`;
  const [{ default: embed }, made] = await Promise.all([import('vega-embed'), compute('theory').resultsFigures(text)]);
  const { figures, records, badLines, kinds, ns, seeds } = made;
  const skipped = badLines.length ? `; skipped ${badLines.length} lines that are not records (line ${badLines.slice(0, 5).join(', ')}${badLines.length > 5 ? ', ...' : ''})` : '';
  if (!records) { status.textContent = `${name}: no persian-rug/sweep/1 records${skipped}`; return; }
  for (const figure of figures) {
    const box = document.createElement('figure');
    box.className = 'result-figure';
    box.dataset.name = figure.name;
    const chart = document.createElement('div');
    chart.className = 'chart';
    chart.setAttribute('role', 'img');
    chart.setAttribute('aria-label', figure.title);
    const tools = document.createElement('div');
    tools.className = 'figure-tools';
    box.append(chart, tools);
    host.append(box);
    const { view } = await embed(chart, figure.spec as never, { actions: false, renderer: 'svg', tooltip: true });
    for (const [format, label] of [['svg', 'SVG'], ['png', 'PNG (2x)']] as const) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = label;
      button.setAttribute('aria-label', `download ${figure.name} as ${label}`);
      button.addEventListener('click', () => {
        const saved = format === 'svg'
          ? view.toSVG().then((svg) => download(`${figure.name}.svg`, svg, 'image/svg+xml'))
          : view.toImageURL('png', 2).then(async (url) => download(`${figure.name}.png`, new Uint8Array(await (await fetch(url)).arrayBuffer()), 'image/png'));
        saved.catch((error: unknown) => console.error(error));
      });
      tools.append(button);
    }
  }
  status.textContent = `${name}: ${records} records (${kinds.join(', ')}), n = ${ns.join(', ')}, seeds ${seeds.join(', ')}: ${figures.length} figures${skipped}`;
  document.body.dataset.resultsFigures = String(figures.length);
}

const fail = (error: unknown) => { $('results-status').textContent = `error: ${(error as Error).message ?? String(error)}`; console.error(error); };

export function setupResults(): void {
  const zone = $('dropzone');
  zone.addEventListener('dragover', (event) => { event.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    const file = event.dataTransfer?.files[0];
    if (file) file.text().then((text) => show(text, file.name)).catch(fail);
  });
  $<HTMLInputElement>('results-file').addEventListener('change', (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file) file.text().then((text) => show(text, file.name)).catch(fail);
  });
}
