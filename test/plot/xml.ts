// A small XML well-formedness check for the SVG tests: declaration, balanced tags, quoted unique attributes, known entities.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][\w.:-]*/;

function decode(text: string, where: number): string {
  return text.replace(/&([^;\s]*);?/g, (whole, entity: string) => {
    if (!whole.endsWith(';')) throw new Error(`bare '&' at ${where}`);
    const map: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (entity in map) return map[entity];
    if (/^#\d+$/.test(entity)) return String.fromCodePoint(Number(entity.slice(1)));
    if (/^#x[0-9a-f]+$/i.test(entity)) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    throw new Error(`unknown entity &${entity}; at ${where}`);
  });
}

/** Parses `text` or throws with the position of the first error; returns the root element. */
export function parseXml(text: string): XmlElement {
  let i = 0;
  if (text.startsWith('<?xml')) {
    const end = text.indexOf('?>');
    if (end < 0) throw new Error('unterminated XML declaration');
    i = end + 2;
  }
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = text.slice(i, lt < 0 ? text.length : lt);
    if (chunk.includes('>')) throw new Error(`stray '>' at ${i + chunk.indexOf('>')}`);
    if (stack.length) stack[stack.length - 1].text += decode(chunk, i);
    else if (chunk.trim() !== '') throw new Error(`text outside the root element at ${i}`);
    if (lt < 0) break;
    i = lt;
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i);
      if (end < 0) throw new Error(`unterminated comment at ${i}`);
      i = end + 3;
      continue;
    }
    if (text[i + 1] === '/') {
      const match = NAME.exec(text.slice(i + 2));
      if (!match) throw new Error(`bad closing tag at ${i}`);
      const close = text.indexOf('>', i);
      if (text.slice(i + 2 + match[0].length, close).trim() !== '') throw new Error(`junk in closing tag at ${i}`);
      const open = stack.pop();
      if (!open || open.name !== match[0]) throw new Error(`</${match[0]}> at ${i} closes <${open?.name ?? 'nothing'}>`);
      i = close + 1;
      continue;
    }
    const match = NAME.exec(text.slice(i + 1));
    if (!match) throw new Error(`bad tag at ${i}`);
    if (root && stack.length === 0) throw new Error(`second root element at ${i}`);
    const element: XmlElement = { name: match[0], attributes: {}, children: [], text: '' };
    i += 1 + match[0].length;
    for (;;) {
      const ws = /^\s*/.exec(text.slice(i))![0];
      i += ws.length;
      if (text.startsWith('/>', i)) { i += 2; break; }
      if (text[i] === '>') { i += 1; stack.push(element); break; }
      if (!ws) throw new Error(`attributes need white space before them at ${i}`);
      const attribute = /^([A-Za-z_][\w.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(text.slice(i));
      if (!attribute) throw new Error(`bad attribute at ${i}: ${text.slice(i, i + 30)}`);
      if (attribute[1] in element.attributes) throw new Error(`attribute ${attribute[1]} repeated at ${i}`);
      element.attributes[attribute[1]] = decode(attribute[3] ?? attribute[4], i);
      i += attribute[0].length;
    }
    if (stack.length > 1 || (stack.length === 1 && stack[0] !== element)) {
      const parent = stack[stack.length - 1] === element ? stack[stack.length - 2] : stack[stack.length - 1];
      parent.children.push(element);
    }
    root ??= element;
  }
  if (stack.length) throw new Error(`<${stack[stack.length - 1].name}> is never closed`);
  if (!root) throw new Error('no root element');
  return root;
}

/** Every element of the tree, depth first. */
export function allElements(root: XmlElement): XmlElement[] {
  return [root, ...root.children.flatMap(allElements)];
}

/** All text content, concatenated depth first. */
export function allText(root: XmlElement): string[] {
  return allElements(root).map((e) => e.text).filter((t) => t.trim() !== '');
}
