// The page's state in the URL (?section=&n=&m=&p=&seed=&steps=&view=...): read once at load, written on every change.

export const SECTIONS = ['train', 'theory', 'rug', 'results', 'speed'] as const;
export type Section = (typeof SECTIONS)[number];

/** Keys the page keeps in the URL; anything else in the query is left as it is. */
export const STATE_KEYS = ['section', 'n', 'm', 'p', 'seed', 'steps', 'batch', 'stoprule', 'view', 'bench'] as const;
export type StateKey = (typeof STATE_KEYS)[number];

const params = new URLSearchParams(location.search);

export function getParam(key: StateKey | 'autostart'): string | null {
  return params.get(key);
}

/** Sets (or, with null, removes) keys and replaces the URL without reloading; the view is shareable as is. */
export function setParams(values: Partial<Record<StateKey, string | number | null>>): void {
  for (const [key, value] of Object.entries(values)) {
    if (value === null || value === undefined || value === '') params.delete(key);
    else params.set(key, String(value));
  }
  params.delete('autostart');
  history.replaceState(null, '', `${location.pathname}?${params}${location.hash}`);
}

export function currentSection(): Section {
  const s = params.get('section');
  return (SECTIONS as readonly string[]).includes(s ?? '') ? (s as Section) : 'train';
}

/** `view` holds a section's own view as comma-separated numbers (theory: p,r of the chosen cell; rug: row,col,size). */
export function viewNumbers(count: number): number[] | null {
  const parts = (params.get('view') ?? '').split(',').map(Number);
  return parts.length === count && parts.every(Number.isFinite) ? parts : null;
}
