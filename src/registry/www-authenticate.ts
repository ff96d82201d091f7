/** One challenge of a `WWW-Authenticate` header: `Bearer realm="…",service="…",scope="…"`. */
export interface Challenge {
  /** Lowercased: `basic`, `bearer`. */
  scheme: string;
  /** Parameter names lowercased, values unquoted. */
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;

/**
 * Parses RFC 7235 challenges. fetch joins repeated headers with ", ", and a quoted scope
 * holds commas itself (`repository:a:pull,push`), so splitting on commas is not enough:
 * a bare token not followed by `=` starts the next challenge.
 */
export function parseChallenges(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  let i = 0;
  const skip = (chars: string): void => {
    while (i < header.length && chars.includes(header[i]!)) i++;
  };
  const token = (): string | undefined => {
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(header);
    if (!m) return undefined;
    i = TOKEN.lastIndex;
    return m[0];
  };
  // Servers do send unquoted URLs (`realm=https://…`), which are not RFC tokens; read to the next separator.
  const bare = (): string => {
    const start = i;
    while (i < header.length && !' \t,'.includes(header[i]!)) i++;
    return header.slice(start, i);
  };
  const quoted = (): string => {
    let out = '';
    for (i++; i < header.length && header[i] !== '"'; i++) {
      if (header[i] === '\\') i++;
      out += header[i] ?? '';
    }
    i++;
    return out;
  };

  while (i < header.length) {
    skip(' \t,');
    const name = token();
    if (name === undefined) break;
    skip(' \t');
    const current = challenges.at(-1);
    if (header[i] === '=' && current) {
      i++;
      skip(' \t');
      current.params[name.toLowerCase()] = header[i] === '"' ? quoted() : bare();
    } else {
      challenges.push({ scheme: name.toLowerCase(), params: {} });
    }
  }
  return challenges;
}
