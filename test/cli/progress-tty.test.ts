import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRenderer } from '../../src/cli/progress/index.js';
import { ttyRenderer } from '../../src/cli/progress/tty.js';
import type { BuildEvent, VertexInfo } from '../../src/solver/events.js';

const T0 = 1_700_000_000_000;

interface FakeStream {
  frames: string[];
  columns: number;
  rows?: number;
  isTTY: boolean;
  write: (chunk: string) => boolean;
}

function fakeStream(columns = 80, isTTY = true): FakeStream {
  const stream: FakeStream = {
    frames: [],
    columns,
    isTTY,
    write: (chunk) => {
      stream.frames.push(chunk);
      return true;
    },
  };
  return stream;
}

const asStream = (s: FakeStream): NodeJS.WriteStream => s as unknown as NodeJS.WriteStream;

/** The visible lines of one frame: escape sequences removed, trailing newline dropped. */
function lines(frame: string): string[] {
  // eslint-disable-next-line no-control-regex -- ESC starts the cursor and erase sequences being removed.
  const text = frame.replace(/\x1b\[\d*[FKJ]/g, '');
  return text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
}

const last = (s: FakeStream): string[] => lines(s.frames.at(-1) ?? '');

function start(vertex: VertexInfo, time = T0): BuildEvent {
  return { type: 'vertex-start', vertex, time };
}

const base: VertexInfo = { number: 1, name: '[internal] load metadata for docker.io/library/alpine:3.20' };
const make: VertexInfo = { number: 2, name: '[build 2/3] RUN make' };
const copy: VertexInfo = { number: 3, name: '[build 3/3] COPY . /src' };

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('tty progress', () => {
  it('draws nothing until 100 ms have passed, then one frame for all the events so far', () => {
    const stream = fakeStream();
    const { onEvent } = ttyRenderer(asStream(stream));
    onEvent(start(base));
    onEvent(start(make));
    vi.advanceTimersByTime(99);
    expect(stream.frames).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(stream.frames).toHaveLength(1);
    expect(last(stream)).toHaveLength(3);
  });

  it('starts each frame with a [+] Building header showing elapsed time and finished/total steps', () => {
    const stream = fakeStream();
    const { onEvent, finish } = ttyRenderer(asStream(stream));
    onEvent(start(base));
    onEvent(start(make));
    onEvent({ type: 'vertex-done', vertex: base, durationMs: 300, time: T0 + 300 });
    vi.advanceTimersByTime(2_500);
    finish();
    expect(last(stream)[0]).toBe('[+] Building 2.5s (1/2)');
  });

  it('shows a finished step with its duration and a running step with the time so far', () => {
    const stream = fakeStream(80);
    const { onEvent, finish } = ttyRenderer(asStream(stream));
    onEvent(start(base));
    onEvent(start(make, T0 + 100));
    onEvent({ type: 'vertex-done', vertex: base, durationMs: 400, time: T0 + 400 });
    vi.advanceTimersByTime(1_300);
    finish();
    const [, baseLine, makeLine] = last(stream);
    expect(baseLine).toMatch(/^=> \[internal\] load metadata for docker\.io\/library\/alpine:3\.20 +0\.4s$/);
    expect(makeLine).toMatch(/^=> \[build 2\/3\] RUN make +1\.2s$/);
  });

  it('right-aligns the state so each step line fills the width but one column', () => {
    const stream = fakeStream(60);
    const { onEvent, finish } = ttyRenderer(asStream(stream));
    onEvent(start(make));
    onEvent({ type: 'vertex-cached', vertex: make, time: T0 });
    finish();
    expect(last(stream)[1]).toHaveLength(59);
    expect(last(stream)[1]).toMatch(/ CACHED$/);
  });

  it('marks a cached step CACHED without output lines', () => {
    const stream = fakeStream();
    const { onEvent, finish } = ttyRenderer(asStream(stream));
    onEvent(start(make));
    onEvent({ type: 'vertex-log', vertex: make, stream: 'stdout', data: 'should not show\n', time: T0 });
    onEvent({ type: 'vertex-cached', vertex: make, time: T0 });
    finish();
    expect(last(stream)).toEqual(['[+] Building 0.0s (1/1)', expect.stringMatching(/^=> \[build 2\/3\] RUN make +CACHED$/)]);
  });

  it('marks a failed step with => ERROR and keeps its last output lines on screen', () => {
    const stream = fakeStream();
    const { onEvent, finish } = ttyRenderer(asStream(stream));
    onEvent(start(make));
    onEvent({ type: 'vertex-log', vertex: make, stream: 'stderr', data: 'gcc: error: a.c\nmake: *** Error 1\n', time: T0 });
    onEvent({ type: 'vertex-error', vertex: make, message: 'exit code 2', durationMs: 50, time: T0 + 50 });
    finish();
    expect(last(stream).slice(1)).toEqual([
      expect.stringMatching(/^=> ERROR \[build 2\/3\] RUN make +ERROR$/),
      ' => => # gcc: error: a.c',
      ' => => # make: *** Error 1',
    ]);
  });

  it('shows only the last 6 complete output lines of a running step', () => {
    const stream = fakeStream();
    const { onEvent, finish } = ttyRenderer(asStream(stream));
    onEvent(start(make));
    const output = Array.from({ length: 9 }, (_, i) => `line ${i + 1}\n`).join('');
    // Split mid-line to check that lines are reassembled across chunks.
    onEvent({ type: 'vertex-log', vertex: make, stream: 'stdout', data: output.slice(0, 13), time: T0 });
    onEvent({ type: 'vertex-log', vertex: make, stream: 'stdout', data: `${output.slice(13)}partial`, time: T0 });
    finish();
    expect(last(stream).slice(2)).toEqual(['line 4', 'line 5', 'line 6', 'line 7', 'line 8', 'line 9'].map((l) => ` => => # ${l}`));
  });

  it('hides the output lines of a step once it is done', () => {
    const stream = fakeStream();
    const { onEvent, finish } = ttyRenderer(asStream(stream));
    onEvent(start(make));
    onEvent({ type: 'vertex-log', vertex: make, stream: 'stdout', data: 'compiling\n', time: T0 });
    vi.advanceTimersByTime(100);
    expect(last(stream)).toContain(' => => # compiling');
    onEvent({ type: 'vertex-done', vertex: make, durationMs: 100, time: T0 + 100 });
    finish();
    expect(last(stream)).toHaveLength(2);
    expect(last(stream)[1]).toMatch(/ 0\.1s$/);
  });

  it('cuts long names with an ellipsis so the line does not wrap', () => {
    const stream = fakeStream(40);
    const { onEvent, finish } = ttyRenderer(asStream(stream));
    const long: VertexInfo = { number: 4, name: `[build 3/9] RUN ${'x'.repeat(80)}` };
    onEvent(start(long));
    onEvent({ type: 'vertex-log', vertex: long, stream: 'stdout', data: `${'y'.repeat(80)}\n`, time: T0 });
    finish();
    const [, step, output] = last(stream);
    expect(step).toHaveLength(39);
    expect(step).toMatch(/^=> \[build 3\/9\] RUN x+… 0\.0s$/);
    expect(output).toHaveLength(39);
  });

  it('redraws in place: later frames move the cursor up over the previous frame and clear what is below', () => {
    const stream = fakeStream();
    const { onEvent, finish } = ttyRenderer(asStream(stream));
    onEvent(start(base));
    vi.advanceTimersByTime(100);
    const first = stream.frames[0] ?? '';
    expect(first.startsWith('[+] Building')).toBe(true);
    expect(first.endsWith('\n\x1b[J')).toBe(true);
    expect(
      first
        .split('\n')
        .slice(0, -1)
        .every((l) => l.endsWith('\x1b[K')),
    ).toBe(true);

    onEvent(start(make));
    onEvent({ type: 'vertex-log', vertex: make, stream: 'stdout', data: 'a\nb\n', time: T0 });
    vi.advanceTimersByTime(100);
    expect(stream.frames[1]?.startsWith('\x1b[2F[+] Building')).toBe(true);

    onEvent({ type: 'vertex-done', vertex: make, durationMs: 5, time: T0 + 5 });
    finish();
    // The previous frame had a header, two steps and two output lines.
    expect(stream.frames[2]?.startsWith('\x1b[5F')).toBe(true);
  });

  it('draws the final frame at once on finish and leaves no redraw pending', () => {
    const stream = fakeStream();
    const { onEvent, finish } = ttyRenderer(asStream(stream));
    onEvent(start(copy));
    onEvent({ type: 'vertex-done', vertex: copy, durationMs: 20, time: T0 + 20 });
    finish();
    expect(stream.frames).toHaveLength(1);
    vi.advanceTimersByTime(1_000);
    expect(stream.frames).toHaveLength(1);
    expect(last(stream)[0]).toBe('[+] Building 0.0s (1/1)');
  });

  it('never draws more lines than the terminal has rows', () => {
    // A frame taller than the screen cannot be redrawn in place: `ESC[nF` stops at the top
    // row, so every redraw leaves a copy of the overflow in the scrollback.
    const stream = fakeStream(80);
    stream.rows = 10;
    const { onEvent, finish } = ttyRenderer(asStream(stream));
    for (let n = 1; n <= 12; n++) {
      const vertex = { number: n, name: `[stage ${n}/12] RUN step ${n}` };
      onEvent(start(vertex));
      onEvent({ type: 'vertex-log', vertex, stream: 'stdout', data: 'working\n', time: T0 });
    }
    vi.advanceTimersByTime(100);
    finish();
    for (const frame of stream.frames) expect(lines(frame).length).toBeLessThanOrEqual(10);
  });
});

describe('createRenderer', () => {
  it('uses the tty display for auto on a terminal', () => {
    const stream = fakeStream(80, true);
    const renderer = createRenderer('auto', asStream(stream));
    renderer.onEvent(start(make));
    renderer.finish();
    expect(stream.frames.join('')).toContain('[+] Building');
  });

  it('uses plain output for auto when the stream is not a terminal', () => {
    const stream = fakeStream(80, false);
    const renderer = createRenderer('auto', asStream(stream));
    renderer.onEvent(start(make));
    renderer.finish();
    expect(stream.frames.join('')).toBe('#2 [build 2/3] RUN make\n');
  });

  it('writes one JSON line per event for rawjson and nothing for quiet', () => {
    const json = fakeStream();
    createRenderer('rawjson', asStream(json)).onEvent(start(make));
    expect(JSON.parse(json.frames.join(''))).toEqual(start(make));

    const quiet = fakeStream();
    const renderer = createRenderer('quiet', asStream(quiet));
    renderer.onEvent(start(make));
    renderer.finish();
    vi.advanceTimersByTime(1_000);
    expect(quiet.frames).toEqual([]);
  });
});

describe('tty progress while a step is silent', () => {
  it('redraws ten times a second with a ticking timer, no events needed', () => {
    const stream = fakeStream();
    const { onEvent, finish } = ttyRenderer(asStream(stream));
    onEvent(start(make));
    vi.advanceTimersByTime(1_000);
    expect(stream.frames.length).toBe(10);
    expect(last(stream)[1]).toMatch(/RUN make +1\.0s$/);
    vi.advanceTimersByTime(4_000);
    expect(last(stream)[1]).toMatch(/RUN make +5\.0s$/);
    finish();
    const frames = stream.frames.length;
    vi.advanceTimersByTime(1_000);
    expect(stream.frames.length).toBe(frames);
  });

  it('keeps the last lines of a running step under it', () => {
    const stream = fakeStream();
    const { onEvent, finish } = ttyRenderer(asStream(stream));
    onEvent(start(make));
    onEvent({ type: 'vertex-log', vertex: make, stream: 'stdout', data: 'compiling a.c\ncompiling b.c\n', time: T0 });
    vi.advanceTimersByTime(100);
    expect(last(stream).slice(2)).toEqual([' => => # compiling a.c', ' => => # compiling b.c']);
    finish();
  });

  it("ends like BuildKit's export: writing image, naming to", () => {
    const stream = fakeStream(120);
    const { onEvent, finish } = ttyRenderer(asStream(stream));
    const exporting: VertexInfo = { number: 4, name: 'exporting to image' };
    onEvent(start(exporting));
    onEvent({ type: 'vertex-status', vertex: exporting, name: 'writing image sha256:abc', time: T0 });
    onEvent({ type: 'vertex-status', vertex: exporting, name: 'naming to docker.io/library/app:1', time: T0 });
    onEvent({ type: 'vertex-done', vertex: exporting, durationMs: 10, time: T0 + 10 });
    finish();
    expect(last(stream).slice(1)).toEqual([
      expect.stringMatching(/^=> exporting to image +0\.0s$/),
      ' => => writing image sha256:abc',
      ' => => naming to docker.io/library/app:1',
    ]);
  });

  it('marks a canceled step CANCELED', () => {
    const stream = fakeStream();
    const { onEvent, finish } = ttyRenderer(asStream(stream));
    onEvent(start(make));
    onEvent({ type: 'vertex-canceled', vertex: make, durationMs: 10, time: T0 + 10 });
    finish();
    expect(last(stream)[1]).toMatch(/RUN make +CANCELED$/);
  });
});
