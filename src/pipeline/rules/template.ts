/**
 * Output templates: text with `%field` references (Falco's output syntax), `%%` for a
 * literal percent. A field the event lacks prints `<NA>` as Falco prints it.
 */
import type { EventView } from '../args.js';
import { PositionedError } from '../diagnostics.js';
import type { PosMap } from '../yaml-source.js';
import { resolveField, type FieldDef } from './fields.js';

export type Template = (v: EventView) => string;

type Part = string | FieldDef;

const FIELD = /^[A-Za-z_](?:[\w.]*\w)?/;

/** Compiles `text`; an unknown field is an error at its position. */
export function compileTemplate(text: string, posAt: PosMap, argNames: ReadonlySet<string>): Template {
  const parts: Part[] = [];
  let lit = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '%') {
      lit += c;
      continue;
    }
    if (text[i + 1] === '%') {
      lit += '%';
      i++;
      continue;
    }
    const m = FIELD.exec(text.slice(i + 1));
    if (!m) throw new PositionedError(posAt(i), "expected a field name after '%' (write %% for a percent sign)");
    const f = resolveField(m[0], argNames);
    if (typeof f === 'string') throw new PositionedError(posAt(i + 1), f);
    if (lit) parts.push(lit);
    lit = '';
    parts.push(f);
    i += m[0].length;
  }
  if (lit) parts.push(lit);
  return (v) => parts.map((p) => (typeof p === 'string' ? p : show(p, v))).join('');
}

function show(f: FieldDef, v: EventView): string {
  const s = f.show ? f.show(v) : f.get(v);
  return s === undefined ? '<NA>' : String(s);
}
