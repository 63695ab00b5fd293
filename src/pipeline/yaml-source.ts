/**
 * A parsed YAML file that remembers where everything came from: node positions through the
 * `yaml` package's LineCounter, and, inside a scalar (a rule condition, an output
 * template), the source position of each character of its value.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, Scalar, isMap, isScalar, isSeq, parseDocument, type Document, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { ConfigError, PositionedError, type SourcePos } from './diagnostics.js';

/** Maps an offset in a scalar's value to its place in the file. */
export type PosMap = (offset: number) => SourcePos;

export class YamlSource {
  private constructor(
    readonly file: string,
    readonly text: string,
    private readonly lines: LineCounter,
    readonly doc: Document.Parsed,
  ) {}

  /** Parses `text`; YAML syntax errors become a ConfigError listing all of them. */
  static parse(text: string, file: string): YamlSource {
    const lines = new LineCounter();
    let doc: Document.Parsed;
    try {
      doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    } catch (e) {
      // The yaml package recurses per nesting level: thousands of levels overflow the stack.
      if (e instanceof RangeError) throw new ConfigError([{ pos: { file, line: 1, col: 1 }, message: 'nested too deeply to read' }]);
      throw e;
    }
    const src = new YamlSource(file, text, lines, doc);
    if (doc.errors.length > 0) {
      throw new ConfigError(doc.errors.map((e) => ({ pos: src.at(e.pos[0]), message: e.message.split('\n')[0]! })));
    }
    return src;
  }

  /** Reads and parses a file; an unreadable file is an error at `from` (or at the file itself). */
  static load(file: string, from?: SourcePos): YamlSource {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
      throw new ConfigError([{ pos: from ?? { file, line: 1, col: 1 }, message: `cannot read ${file}: ${why}` }]);
    }
    return YamlSource.parse(text, file);
  }

  /** The position of a byte offset. */
  at(offset: number): SourcePos {
    const p = this.lines.linePos(offset);
    return { file: this.file, line: p.line, col: p.col };
  }

  /** The position of a node (its first character), or of the document start. */
  pos(node: Node | null | undefined): SourcePos {
    return node?.range ? this.at(node.range[0]) : { file: this.file, line: 1, col: 1 };
  }

  fail(node: Node | null | undefined, what: string): never {
    throw new PositionedError(this.pos(node), what);
  }

  /** The root node, or undefined for an empty file. */
  get root(): Node | undefined {
    return (this.doc.contents as Node | null) ?? undefined;
  }

  /** Fails on keys of `map` not in `known`. */
  checkKeys(map: YAMLMap, known: readonly string[], what: string): void {
    for (const item of map.items) {
      const k = isScalar(item.key) ? String(item.key.value) : '';
      if (!known.includes(k)) this.fail(item.key as Node, `unknown key '${k}' in ${what} (expected one of ${known.join(', ')})`);
    }
  }

  node(map: YAMLMap, key: string): Node | undefined {
    return (map.get(key, true) as Node | undefined) ?? undefined;
  }

  map(node: Node | undefined, what: string): YAMLMap {
    if (!isMap(node)) this.fail(node, `expected ${what} (a mapping)`);
    return node;
  }

  seq(node: Node | undefined, what: string): YAMLSeq {
    if (!isSeq(node)) this.fail(node, `expected ${what} (a list)`);
    return node;
  }

  /** A string (or number, read as text) scalar. */
  str(node: Node | undefined, what: string): string {
    if (!isScalar(node) || (typeof node.value !== 'string' && typeof node.value !== 'number') || node.value === '') {
      this.fail(node, `expected ${what} (a non-empty string)`);
    }
    return String(node.value);
  }

  bool(node: Node | undefined, what: string): boolean {
    if (!isScalar(node) || typeof node.value !== 'boolean') this.fail(node, `expected ${what} (true or false)`);
    return node.value;
  }

  /** A list of strings; a single string is taken as a list of one. */
  strList(node: Node | undefined, what: string): { value: string; node: Scalar }[] {
    if (isScalar(node)) return [{ value: this.str(node, what), node }];
    return this.seq(node, `${what}`).items.map((it) => ({ value: this.str(it as Node, `${what} items`), node: it as Scalar }));
  }

  /**
   * A scalar's value with a map from value offsets to file positions. Plain, quoted, and
   * block scalars fold or unescape their source, so each value character is matched to
   * the next equal source character (whitespace to whitespace, across folded line breaks).
   */
  scalarText(node: Node | undefined, what: string): { text: string; posAt: PosMap } {
    const text = this.str(node, what);
    const s = node as Scalar;
    const [start, end] = s.range ?? [0, 0];
    const offsets = alignValue(this.text, start, end, text, s.type);
    return { text, posAt: (i) => this.at(offsets[Math.max(0, Math.min(i, offsets.length - 1))] ?? start) };
  }
}

const isWs = (c: string | undefined): boolean => c === ' ' || c === '\n' || c === '\t' || c === '\r';

/** Source offset of each character of `value` (plus one past the end), see `scalarText`. */
export function alignValue(src: string, start: number, end: number, value: string, type: Scalar.Type | undefined): number[] {
  let j = start;
  if (type === Scalar.QUOTE_DOUBLE || type === Scalar.QUOTE_SINGLE) j++;
  if (type === Scalar.BLOCK_FOLDED || type === Scalar.BLOCK_LITERAL) {
    const nl = src.indexOf('\n', j);
    j = nl < 0 ? end : nl + 1;
  }
  const out: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    let k = j;
    if (isWs(c)) while (k < end && !isWs(src[k])) k++;
    else while (k < end && src[k] !== c) k++;
    if (k >= end) k = j < end ? j : Math.max(start, end - 1);
    out.push(k);
    j = k + 1;
  }
  out.push(Math.min(j, end));
  return out;
}
