import { selectAll, selectOne } from 'css-select';
import { type AnyNode, type Document, type Element, isTag, isText } from 'domhandler';
import { getAttributeValue, textContent } from 'domutils';
import { parseDocument } from 'htmlparser2';

export type { AnyNode, Document, Element };

/** Deeper than this, no real page nests; hostile ones do, to make parsing and selectors slow. */
export const DEFAULT_MAX_DEPTH = 1500;

const VOID_TAGS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);

/**
 * The markup up to the point where elements would nest deeper than
 * `maxDepth` (counting open and close tags, a cheap linear estimate), or null
 * when it never does. Parsers and selectors slow down on pathological
 * nesting (200,000 nested <div>s: tens of seconds); no real page nests
 * thousands deep.
 */
export function cutDeepNesting(html: string, maxDepth: number = DEFAULT_MAX_DEPTH): string | null {
  const re = /<(\/)?([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*?(\/)?>/g;
  let depth = 0;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    if (m[1]) depth = Math.max(0, depth - 1);
    else if (!m[3] && !VOID_TAGS.has(m[2]!.toLowerCase()) && ++depth > maxDepth) return html.slice(0, m.index);
  }
  return null;
}

/**
 * Parse HTML forgivingly (broken markup never throws), bounded: the markup
 * past `maxDepth` levels of nesting is not read (see `cutDeepNesting`;
 * callers that must say so check it themselves).
 */
export function parseHtml(html: string, maxDepth: number = DEFAULT_MAX_DEPTH): Document {
  return parseDocument(cutDeepNesting(html, maxDepth) ?? html, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true });
}

export function select(selector: string, root: AnyNode | AnyNode[]): Element[] {
  return selectAll(selector, root);
}

export function first(selector: string, root: AnyNode | AnyNode[]): Element | null {
  return selectOne(selector, root);
}

export function attr(el: Element | null | undefined, name: string): string | null {
  return el ? (getAttributeValue(el, name) ?? null) : null;
}

/** Every element below `root`, in document order (one walk, for readers that look at many tags at once). */
export function elements(root: AnyNode | AnyNode[]): Element[] {
  const out: Element[] = [];
  const stack: AnyNode[] = (Array.isArray(root) ? [...root] : [root]).reverse();
  while (stack.length) {
    const n = stack.pop()!;
    if (isTag(n)) out.push(n);
    const children = (n as { children?: AnyNode[] }).children;
    if (children) for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return out;
}

const INVISIBLE = new Set(['script', 'style', 'noscript', 'template', 'head', 'title']);

/**
 * The text a reader sees: script, style and the like left out, block
 * boundaries kept as line breaks, runs of white space folded.
 */
export function visibleText(root: AnyNode | AnyNode[], maxChars = 1_000_000): string {
  const parts: string[] = [];
  let size = 0;
  // An explicit stack, not recursion: broken markup can nest elements tens of thousands deep.
  const stack: AnyNode[] = (Array.isArray(root) ? [...root] : [root]).reverse();
  while (stack.length > 0 && size <= maxChars) {
    const n = stack.pop()!;
    let children: AnyNode[] | undefined;
    if (isText(n)) {
      parts.push(n.data);
      size += n.data.length;
    } else if (isTag(n)) {
      if (INVISIBLE.has(n.name)) continue;
      if (n.name === 'br' || n.name === 'p' || n.name === 'div' || n.name === 'li' || n.name === 'tr') parts.push('\n');
      children = n.children;
    } else if ('children' in n) children = (n as Document).children;
    if (children) for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return parts.join('').replace(/[ \t\r\f\v\u00a0\u3000]+/g, ' ').replace(/ *\n[\s]*/g, '\n').trim();
}

export { textContent };
