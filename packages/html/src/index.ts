export { charsetFromContentType, charsetFromMeta, decodeBody, type CharsetSource, type DecodedPage } from './decode.js';
export { attr, cutDeepNesting, DEFAULT_MAX_DEPTH, elements, first, parseHtml, select, textContent, visibleText, type AnyNode, type Document, type Element } from './dom.js';
