import type { Node } from './ast.js';
import { goQuote, goQuoteList } from './go-quote.js';

/** One node as BuildKit's `Node.Dump()` prints it inside `(…)`: `run ["--flag"] "arg"`. */
function dumpInner(node: Node): string {
  let out = node.name;
  if (node.flags.length > 0) out += ` ${goQuoteList(node.flags)}`;
  if (node.child) out += ` (${dumpInner(node.child)})`;
  for (const arg of node.args) out += ` ${goQuote(arg)}`;
  return out.trim();
}

/** The whole tree as BuildKit's parser test `result` files show it: one `(…)` per line. */
export function dumpNodes(nodes: readonly Node[]): string {
  return nodes.map((n) => `(${dumpInner(n)})\n`).join('');
}
