import { httpsHref } from './urls';

/** Small DOM helpers: elements are built with text nodes only, so nothing from the network is parsed as HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

export function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node as T;
}

/**
 * A link to a post in a new tab; a URL that is not https: (javascript:, data:, …) is shown as plain text instead,
 * so data from the network can never run script or lead anywhere unexpected when clicked.
 */
export function externalLink(url: string, text: string): HTMLElement {
  const href = httpsHref(url);
  return href ? el('a', { href, target: '_blank', rel: 'noopener noreferrer' }, text) : el('span', { title: url }, text);
}
