import { InstructionProblem } from '../errors.js';

/** One record of Go's encoding/csv (the `--mount` value syntax): commas split, `"` quotes. */
export function parseCsvRecord(text: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw badCsv(text, 'extraneous or missing " in quoted-field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i];
        i++;
      }
      if (i < text.length && text[i] !== ',') throw badCsv(text, 'extraneous or missing " in quoted-field');
    } else {
      while (i < text.length && text[i] !== ',') {
        if (text[i] === '"') throw badCsv(text, 'bare " in non-quoted-field');
        field += text[i];
        i++;
      }
    }
    fields.push(field);
    if (i >= text.length) return fields;
    i++; // the comma
  }
}

function badCsv(text: string, why: string): InstructionProblem {
  return new InstructionProblem(`invalid mount ${JSON.stringify(text)}: ${why}`, 'quote a whole field that contains commas, e.g. "source=a,b"');
}
