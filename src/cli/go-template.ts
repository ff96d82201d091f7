// The part of Go's text/template that docker users type after --format: fields
// ({{.Config.Env}}), variables, pipelines, parentheses, if/else/range/with, and the functions
// docker adds (json, join, split, upper, lower, title, truncate, pad) plus Go's builtins
// (index, len, print, printf, println, eq, ne, lt, le, gt, ge, and, or, not). Anything else
// is refused with the template's text named.
import { UsageError } from '../errors.js';

type Value = unknown;

/** A --format template that cannot be parsed or run. */
export function templateError(template: string, why: string): UsageError {
  return new UsageError(`--format "${template}": ${why}`);
}

type Arg =
  | { kind: 'field'; base: 'dot' | string; path: string[] }
  | { kind: 'literal'; value: Value }
  | { kind: 'func'; name: string }
  | { kind: 'pipe'; pipe: Pipeline };
type Command = Arg[];
interface Pipeline {
  vars: string[];
  commands: Command[];
}
type Node =
  { kind: 'text'; text: string } | { kind: 'action'; pipe: Pipeline } | { kind: 'if' | 'with' | 'range'; pipe: Pipeline; body: Node[]; alt: Node[] };

const FUNCS: Record<string, (...args: Value[]) => Value> = {
  json: (v) => JSON.stringify(v ?? null),
  join: (list, sep) => (Array.isArray(list) ? list.map(show).join(String(sep)) : show(list)),
  split: (s, sep) => String(s).split(String(sep)),
  upper: (s) => String(s).toUpperCase(),
  lower: (s) => String(s).toLowerCase(),
  title: (s) => String(s).replace(/\b\w/g, (c) => c.toUpperCase()),
  truncate: (s, n) => String(s).slice(0, Number(n)),
  pad: (s, l, r) => `${' '.repeat(Number(l))}${String(s)}${' '.repeat(Number(r))}`,
  len: (v) => (Array.isArray(v) || typeof v === 'string' ? v.length : v && typeof v === 'object' ? Object.keys(v).length : 0),
  index: (v, ...keys) => keys.reduce<Value>((acc, k) => (acc == null ? undefined : (acc as Record<string, Value>)[String(k)]), v),
  print: (...a) => a.map(show).join(''),
  println: (...a) => `${a.map(show).join(' ')}\n`,
  printf: (fmt, ...a) => sprintf(String(fmt), a),
  eq: (a, ...b) => b.some((x) => x === a),
  ne: (a, b) => a !== b,
  lt: (a, b) => (a as number) < (b as number),
  le: (a, b) => (a as number) <= (b as number),
  gt: (a, b) => (a as number) > (b as number),
  ge: (a, b) => (a as number) >= (b as number),
  not: (a) => !truthy(a),
  and: (...a) => a.find((x) => !truthy(x)) ?? a.at(-1),
  or: (...a) => a.find((x) => truthy(x)) ?? a.at(-1),
};

/** A compiled template: `render(data)` gives its text for one item. */
export interface Template {
  render(data: Value): string;
  /** Field names used at the top level (`{{.Repository}}`), in order: the header of a `table` format. */
  fields: string[];
}

export function compileTemplate(source: string): Template {
  const nodes = parse(source);
  const fields: string[] = [];
  collectFields(nodes, fields);
  return {
    fields,
    render: (data) => {
      if (data && typeof data === 'object') STRUCTS.add(data);
      try {
        return exec(nodes, data, new Map([['$', data]]));
      } catch (err) {
        if (err instanceof UsageError) throw err;
        throw templateError(source, (err as Error).message);
      }
    },
  };
}

/** Go's `%v` of a value: `[a b]` for lists, `map[k:v]` for objects, `<no value>` for a missing one. */
export function show(v: Value): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return `[${v.map((x) => (x == null ? '<nil>' : show(x))).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, Value>;
    return `map[${Object.keys(o)
      .sort()
      .map((k) => `${k}:${o[k] == null ? '<nil>' : show(o[k])}`)
      .join(' ')}]`;
  }
  return String(v);
}

function truthy(v: Value): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}

function sprintf(fmt: string, args: Value[]): string {
  let i = 0;
  return fmt.replace(/%([-+ 0#]*\d*)([svdqt%])/g, (_, _flags: string, verb: string) => {
    if (verb === '%') return '%';
    const a = args[i++];
    if (verb === 'q') return JSON.stringify(show(a));
    return show(a);
  });
}

// ---- parsing

function parse(source: string): Node[] {
  const stack: { node: Node & { kind: 'if' | 'with' | 'range' }; inAlt: boolean }[] = [];
  const root: Node[] = [];
  const current = (): Node[] => {
    const top = stack.at(-1);
    return top ? (top.inAlt ? top.node.alt : top.node.body) : root;
  };
  let rest = source;
  let trimNext = false;
  while (rest.length > 0) {
    const open = rest.indexOf('{{');
    let text = open < 0 ? rest : rest.slice(0, open);
    if (trimNext) text = text.trimStart();
    trimNext = false;
    if (open < 0) {
      if (text) current().push({ kind: 'text', text });
      break;
    }
    const close = rest.indexOf('}}', open + 2);
    if (close < 0) throw templateError(source, 'unclosed action: "{{" without "}}"');
    let inner = rest.slice(open + 2, close);
    if (inner.startsWith('- ')) {
      text = text.trimEnd();
      inner = inner.slice(1);
    }
    if (inner.endsWith(' -')) {
      trimNext = true;
      inner = inner.slice(0, -1);
    }
    if (text) current().push({ kind: 'text', text });
    rest = rest.slice(close + 2);
    inner = inner.trim();
    if (inner.startsWith('/*')) continue;
    const word = /^(\w+)\b/.exec(inner)?.[1];
    if (word === 'if' || word === 'with' || word === 'range') {
      const node = { kind: word, pipe: parsePipeline(source, inner.slice(word.length)), body: [], alt: [] } as Node & { kind: 'if' };
      current().push(node);
      stack.push({ node, inAlt: false });
    } else if (word === 'else') {
      const top = stack.at(-1);
      if (!top || top.inAlt) throw templateError(source, '{{else}} outside {{if}}/{{range}}/{{with}}');
      top.inAlt = true;
      if (inner.slice(4).trim() !== '') throw templateError(source, '{{else if}} is not supported; nest an {{if}} in the {{else}}');
    } else if (word === 'end') {
      if (!stack.pop()) throw templateError(source, '{{end}} without {{if}}/{{range}}/{{with}}');
    } else if (word === 'define' || word === 'template' || word === 'block' || word === 'break' || word === 'continue') {
      throw templateError(source, `{{${word}}} is not supported`);
    } else {
      current().push({ kind: 'action', pipe: parsePipeline(source, inner) });
    }
  }
  if (stack.length > 0) throw templateError(source, `{{${stack.at(-1)!.node.kind}}} has no {{end}}`);
  return root;
}

const TOKEN_RE = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|\(|\)|\||:=|,|\$\w*(?:\.\w+)*|\.(?:\w+(?:\.\w+)*)?|-?\d+(?:\.\d+)?|\w+)/y;

function tokenize(source: string, text: string): string[] {
  const tokens: string[] = [];
  TOKEN_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (TOKEN_RE.lastIndex < text.length && (m = TOKEN_RE.exec(text)) !== null) tokens.push(m[1]!);
  if (text.slice(TOKEN_RE.lastIndex).trim() !== '') throw templateError(source, `cannot read "${text.slice(TOKEN_RE.lastIndex).trim()}"`);
  return tokens;
}

function parsePipeline(source: string, text: string): Pipeline {
  const tokens = tokenize(source, text);
  const vars: string[] = [];
  const assign = tokens.indexOf(':=');
  if (assign >= 0) {
    for (const t of tokens.slice(0, assign)) if (t !== ',') vars.push(t);
    tokens.splice(0, assign + 1);
  }
  let pos = 0;
  const pipeline = (): Pipeline => {
    const commands: Command[] = [[]];
    while (pos < tokens.length && tokens[pos] !== ')') {
      const t = tokens[pos++]!;
      if (t === '|') commands.push([]);
      else if (t === '(') {
        commands.at(-1)!.push({ kind: 'pipe', pipe: pipeline() });
        if (tokens[pos++] !== ')') throw templateError(source, 'unclosed "("');
      } else commands.at(-1)!.push(arg(t));
    }
    if (commands.some((c) => c.length === 0)) throw templateError(source, `empty command in "${text.trim()}"`);
    return { vars: [], commands };
  };
  const arg = (t: string): Arg => {
    if (t.startsWith('"')) return { kind: 'literal', value: JSON.parse(t) as string };
    if (t.startsWith('`')) return { kind: 'literal', value: t.slice(1, -1) };
    if (/^-?\d/.test(t)) return { kind: 'literal', value: Number(t) };
    if (t === 'true' || t === 'false') return { kind: 'literal', value: t === 'true' };
    if (t === 'nil') return { kind: 'literal', value: null };
    if (t.startsWith('.')) return { kind: 'field', base: 'dot', path: t === '.' ? [] : t.slice(1).split('.') };
    if (t.startsWith('$')) {
      const [name, ...path] = t.split('.');
      return { kind: 'field', base: name!, path };
    }
    if (Object.hasOwn(FUNCS, t)) return { kind: 'func', name: t };
    throw templateError(source, `function "${t}" is not defined; known: ${Object.keys(FUNCS).join(', ')}`);
  };
  const result = pipeline();
  if (pos < tokens.length) throw templateError(source, 'unexpected ")"');
  return { ...result, vars };
}

function collectFields(nodes: Node[], out: string[]): void {
  for (const node of nodes) {
    if (node.kind === 'text') continue;
    for (const cmd of node.pipe.commands) {
      for (const a of cmd) if (a.kind === 'field' && a.base === 'dot' && a.path[0] !== undefined) out.push(a.path[0]);
    }
    if (node.kind !== 'action') {
      collectFields(node.body, out);
      collectFields(node.alt, out);
    }
  }
}

// ---- execution

type Vars = Map<string, Value>;

function exec(nodes: Node[], dot: Value, vars: Vars): string {
  let out = '';
  for (const node of nodes) {
    switch (node.kind) {
      case 'text':
        out += node.text;
        break;
      case 'action': {
        const v = runPipeline(node.pipe, dot, vars);
        if (node.pipe.vars.length === 0) out += show(v);
        break;
      }
      case 'if':
      case 'with': {
        const v = runPipeline(node.pipe, dot, vars);
        if (truthy(v)) out += exec(node.body, node.kind === 'with' ? v : dot, vars);
        else out += exec(node.alt, dot, vars);
        break;
      }
      case 'range': {
        const v = runPipeline(node.pipe, dot, vars);
        const entries: [Value, Value][] = Array.isArray(v)
          ? v.map((x, i) => [i, x])
          : v && typeof v === 'object'
            ? Object.keys(v)
                .sort()
                .map((k) => [k, (v as Record<string, Value>)[k]])
            : [];
        if (entries.length === 0) out += exec(node.alt, dot, vars);
        for (const [key, item] of entries) {
          const inner = new Map(vars);
          const [a, b] = node.pipe.vars;
          if (b !== undefined) inner.set(a!, key).set(b, item);
          else if (a !== undefined) inner.set(a, item);
          out += exec(node.body, item, inner);
        }
        break;
      }
    }
  }
  return out;
}

function runPipeline(pipe: Pipeline, dot: Value, vars: Vars): Value {
  let piped: Value[] = [];
  for (const cmd of pipe.commands) {
    const [head, ...rest] = cmd;
    if (head!.kind === 'func') {
      const args = [...rest.map((a) => argValue(a, dot, vars)), ...piped];
      piped = [FUNCS[head!.name]!(...args)];
    } else {
      if (rest.length > 0 || piped.length > 0) throw new Error(`${describe(head!)} is not a function; it cannot take arguments`);
      piped = [argValue(head!, dot, vars)];
    }
  }
  const result = piped[0];
  if (pipe.vars.length > 0 && pipe.vars[0] !== undefined) vars.set(pipe.vars[0], result);
  return result;
}

function describe(a: Arg): string {
  return a.kind === 'field' ? `${a.base === 'dot' ? '' : a.base}.${a.path.join('.')}` : a.kind;
}

function argValue(a: Arg, dot: Value, vars: Vars): Value {
  switch (a.kind) {
    case 'literal':
      return a.value;
    case 'pipe':
      return runPipeline(a.pipe, dot, vars);
    case 'func':
      return FUNCS[a.name]!();
    case 'field': {
      if (a.base !== 'dot' && !vars.has(a.base)) throw new Error(`undefined variable "${a.base}"`);
      let v = a.base === 'dot' ? dot : vars.get(a.base);
      for (const name of a.path) v = field(v, name);
      return v;
    }
  }
}

/** The items rendered (an image, a history line): docker's structs, whose every field is present. */
const STRUCTS = new WeakSet<object>();

/**
 * A field of an object. Asking an item for a field it lacks is an error naming the fields it
 * has (a typo); deeper objects (Config, Labels) may leave fields out, which are `<no value>`.
 */
function field(v: Value, name: string): Value {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new Error(`can't evaluate field ${name} in a ${Array.isArray(v) ? 'list' : typeof v}`);
  const o = v as Record<string, Value>;
  if (Object.hasOwn(o, name)) return o[name];
  if (STRUCTS.has(o)) throw new Error(`can't evaluate field ${name}; fields here: ${Object.keys(o).join(', ')}`);
  return undefined;
}
