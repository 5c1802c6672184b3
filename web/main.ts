// The page: five sections behind tabs (train, theory, rug, results, speed), each set up on first view; state in the URL.
import { currentSection, SECTIONS, setParams, type Section } from './state.js';
import { $ } from './format.js';
import { setupTrain } from './train.js';
import { setupTheory } from './theory.js';
import { setupRug } from './rug.js';
import { setupResults } from './results.js';
import { setupSpeed } from './speed.js';

const setups: Record<Section, () => void> = { train: setupTrain, theory: setupTheory, rug: setupRug, results: setupResults, speed: setupSpeed };
const ready = new Set<Section>();

function show(section: Section, focus = false): void {
  for (const s of SECTIONS) {
    const tab = $<HTMLButtonElement>(`tab-${s}`);
    tab.setAttribute('aria-selected', String(s === section));
    $(s).hidden = s !== section;
  }
  document.body.dataset.section = section;
  if (!ready.has(section)) {
    ready.add(section);
    setups[section]();
  }
  if (focus) $(`tab-${section}`).focus();
}

for (const [index, s] of SECTIONS.entries()) {
  const tab = $<HTMLButtonElement>(`tab-${s}`);
  tab.addEventListener('click', () => { setParams({ section: s, view: null }); show(s); });
  tab.addEventListener('keydown', (event) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    event.preventDefault();
    const next = SECTIONS[(index + step + SECTIONS.length) % SECTIONS.length];
    setParams({ section: next, view: null });
    show(next, true);
  });
}
show(currentSection());
