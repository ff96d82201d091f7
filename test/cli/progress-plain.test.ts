import { describe, expect, it } from 'vitest';
import { plainRenderer } from '../../src/cli/progress/plain.js';
import { rawJsonRenderer } from '../../src/cli/progress/rawjson.js';
import type { BuildEvent, VertexInfo } from '../../src/solver/events.js';

const load: VertexInfo = { number: 1, name: '[internal] load build definition from Dockerfile' };
const run: VertexInfo = { number: 2, name: '[build 2/3] RUN make' };

function capture(): { write: (text: string) => void; text: () => string } {
  const chunks: string[] = [];
  return { write: (text) => void chunks.push(text), text: () => chunks.join('') };
}

function log(vertex: VertexInfo, data: string, stream: 'stdout' | 'stderr' = 'stdout'): BuildEvent {
  return { type: 'vertex-log', vertex, stream, data, time: 0 };
}

describe('plain progress', () => {
  it('prints a started vertex as #N and its name', () => {
    const out = capture();
    plainRenderer(out.write)({ type: 'vertex-start', vertex: load, time: 0 });
    expect(out.text()).toBe('#1 [internal] load build definition from Dockerfile\n');
  });

  it('prints a finished vertex as #N DONE with its duration in tenths of a second, then a blank line', () => {
    const out = capture();
    const render = plainRenderer(out.write);
    render({ type: 'vertex-start', vertex: run, time: 0 });
    render({ type: 'vertex-done', vertex: run, durationMs: 400, time: 400 });
    expect(out.text()).toBe('#2 [build 2/3] RUN make\n#2 DONE 0.4s\n\n');
  });

  it('rounds durations to one decimal', () => {
    const out = capture();
    const render = plainRenderer(out.write);
    render({ type: 'vertex-done', vertex: run, durationMs: 12_345, time: 0 });
    render({ type: 'vertex-done', vertex: load, durationMs: 0, time: 0 });
    expect(out.text()).toBe('#2 DONE 12.3s\n\n#1 DONE 0.0s\n\n');
  });

  it('prints a cached vertex as #N CACHED', () => {
    const out = capture();
    const render = plainRenderer(out.write);
    render({ type: 'vertex-start', vertex: run, time: 0 });
    render({ type: 'vertex-cached', vertex: run, time: 0 });
    expect(out.text()).toBe('#2 [build 2/3] RUN make\n#2 CACHED\n\n');
  });

  it('prints a failed vertex as #N ERROR: and the message', () => {
    const out = capture();
    const render = plainRenderer(out.write);
    render({ type: 'vertex-start', vertex: run, time: 0 });
    render({ type: 'vertex-error', vertex: run, message: 'process "/bin/sh -c make" exited with code 2', durationMs: 10, time: 10 });
    expect(out.text()).toBe('#2 [build 2/3] RUN make\n#2 ERROR: process "/bin/sh -c make" exited with code 2\n\n');
  });

  it('prefixes every complete output line with #N and the seconds since the step started', () => {
    const out = capture();
    const render = plainRenderer(out.write);
    render(log(run, 'cc -c a.c\ncc -c b.c\n'));
    render(log(run, 'warning: unused\r\n', 'stderr'));
    expect(out.text()).toBe('#2 0.000 cc -c a.c\n#2 0.000 cc -c b.c\n#2 0.000 warning: unused\n');
  });

  it('holds back a partial line until the rest of it arrives', () => {
    const out = capture();
    const render = plainRenderer(out.write);
    render(log(run, 'Downloading'));
    expect(out.text()).toBe('');
    render(log(run, ' 50%'));
    expect(out.text()).toBe('');
    render(log(run, ' 100%\nnext'));
    expect(out.text()).toBe('#2 0.000 Downloading 50% 100%\n');
  });

  it('flushes a partial last line before DONE', () => {
    const out = capture();
    const render = plainRenderer(out.write);
    render({ type: 'vertex-start', vertex: run, time: 0 });
    render(log(run, 'line one\nno newline at end'));
    render({ type: 'vertex-done', vertex: run, durationMs: 1500, time: 0 });
    expect(out.text()).toBe('#2 [build 2/3] RUN make\n#2 0.000 line one\n#2 0.000 no newline at end\n#2 DONE 1.5s\n\n');
  });

  it('flushes a partial last line before ERROR', () => {
    const out = capture();
    const render = plainRenderer(out.write);
    render(log(run, 'make: *** [all] Error 2'));
    render({ type: 'vertex-error', vertex: run, message: 'exit code 2', durationMs: 0, time: 0 });
    expect(out.text()).toBe('#2 0.000 make: *** [all] Error 2\n#2 ERROR: exit code 2\n\n');
  });

  it('keeps partial lines of concurrent vertices apart', () => {
    const out = capture();
    const render = plainRenderer(out.write);
    render(log(load, 'alpha '));
    render(log(run, 'beta '));
    render(log(load, 'one\n'));
    render(log(run, 'two\n'));
    expect(out.text()).toBe('#1 0.000 alpha one\n#2 0.000 beta two\n');
  });

  it('prints the elapsed time of a line as BuildKit does (#5 0.532 output)', () => {
    const out = capture();
    const render = plainRenderer(out.write);
    render({ type: 'vertex-start', vertex: run, time: 1000 });
    render({ type: 'vertex-log', vertex: run, stream: 'stdout', data: 'output\n', time: 1532 });
    render({ type: 'vertex-log', vertex: run, stream: 'stdout', data: 'later\n', time: 3000 });
    expect(out.text()).toBe('#2 [build 2/3] RUN make\n#2 0.532 output\n#2 2.000 later\n');
  });

  it('prints sub-tasks as "done" lines and a canceled vertex as CANCELED', () => {
    const out = capture();
    const render = plainRenderer(out.write);
    render({ type: 'vertex-status', vertex: run, name: 'writing image sha256:abc', time: 0 });
    render({ type: 'vertex-canceled', vertex: load, durationMs: 5, time: 5 });
    expect(out.text()).toBe('#2 writing image sha256:abc done\n#1 CANCELED\n\n');
  });

  it('prints a partial line only once when a vertex ends', () => {
    const out = capture();
    const render = plainRenderer(out.write);
    render(log(run, 'tail'));
    render({ type: 'vertex-done', vertex: run, durationMs: 0, time: 0 });
    render({ type: 'vertex-done', vertex: run, durationMs: 0, time: 0 });
    expect(out.text().match(/tail/g)).toHaveLength(1);
  });
});

describe('rawjson progress', () => {
  it('writes each event as one JSON object on its own line', () => {
    const out = capture();
    const render = rawJsonRenderer(out.write);
    const events: BuildEvent[] = [
      { type: 'vertex-start', vertex: run, time: 1 },
      log(run, 'multi\nline\n', 'stderr'),
      { type: 'vertex-cached', vertex: load, time: 2 },
      { type: 'vertex-error', vertex: run, message: 'boom', durationMs: 5, time: 6 },
      { type: 'vertex-done', vertex: load, durationMs: 3, time: 4 },
    ];
    for (const event of events) render(event);
    const lines = out.text().split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(events.length);
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual(events);
  });
});
