// The trace and report formats on hand-made spans: escaping, tracks, ordering.
import { describe, expect, it } from 'vitest';
import { chromeTrace, htmlReport, TraceRecorder, type Span } from '../../src/api.js';

const spans: Span[] = [
  { number: 1, name: '[internal] load build context', start: 1000, end: 1010, cached: false },
  {
    number: 2,
    name: '[a 2/2] RUN echo "<b>"',
    step: { stage: 0, stageName: 'a', instruction: 'RUN echo "<b>"' },
    start: 1010,
    end: 1500,
    cached: false,
    layerBytes: 2048,
  },
  { number: 3, name: '[stage-1 2/2] COPY x /x', step: { stage: 1, instruction: 'COPY x /x' }, start: 1020, end: 1020, cached: true, layerBytes: 512 },
];

describe('chromeTrace', () => {
  it('gives X events in microseconds from the first span, one track per stage', () => {
    const events = chromeTrace(spans).traceEvents;
    const x = events.filter((e) => e.ph === 'X');
    expect(x.map((e) => [e.name, e.tid, e.ts, e.dur])).toEqual([
      ['[internal] load build context', 0, 0, 10_000],
      ['RUN echo "<b>"', 1, 10_000, 490_000],
      ['COPY x /x', 2, 20_000, 0],
    ]);
    expect(x[1]!.args).toMatchObject({ stage: 'a', cached: false, bytesWritten: 2048 });
    expect(x[2]!.args).toMatchObject({ stage: 'stage-1', cached: true, bytesWritten: 0, layerBytes: 512 });
    const tracks = events.filter((e) => e.name === 'thread_name').map((e) => [e.tid, e.args.name]);
    expect(tracks).toEqual([
      [0, 'internal'],
      [1, 'a'],
      [2, 'stage-1'],
    ]);
  });
});

describe('htmlReport', () => {
  const page = htmlReport(spans);

  it('is self-contained: no scripts, no external resources', () => {
    expect(page).not.toMatch(/<script|<link|src=|url\(/i);
  });

  it('escapes step text', () => {
    expect(page).toContain('RUN echo &quot;&lt;b&gt;&quot;');
    expect(page).not.toContain('<b>');
  });

  it('lists steps slowest first with cache hit and layer size', () => {
    const rows = [
      ...page.matchAll(
        /<tr class="(\w+)"><td class="step">([^<]*)<\/td><td>([^<]*)<\/td><td class="num">([^<]*)<\/td><td>([^<]*)<\/td><td class="num">([^<]*)<\/td>/g,
      ),
    ].map((m) => m.slice(1));
    expect(rows).toEqual([
      ['ran', 'RUN echo &quot;&lt;b&gt;&quot;', 'a', '490ms', 'ran', '2.0 kB'],
      ['cached', 'COPY x /x', 'stage-1', '0ms', 'cache hit', '512 B'],
    ]);
    expect(page).toContain('2 steps · 1 cache hit · ');
  });
});

describe('TraceRecorder', () => {
  it('keeps one span per started vertex, with its cache hit and layer, and none for a step that never started', () => {
    const recorder = new TraceRecorder();
    const step = { stage: 0, stageName: 'a', instruction: 'RUN x' };
    const ran = { number: 1, name: '[a 2/3] RUN x', step };
    const waited = { number: 2, name: '[a 3/3] RUN x', step };
    recorder.onEvent({ type: 'vertex-start', vertex: ran, time: 100 });
    recorder.onEvent({ type: 'vertex-done', vertex: ran, durationMs: 50, time: 150 });
    recorder.onEvent({ type: 'vertex-layer', vertex: ran, bytes: 10, cached: false, time: 150 });
    recorder.onEvent({ type: 'vertex-layer', vertex: waited, bytes: 10, cached: false, time: 150 });
    expect(recorder.spans(999)).toEqual([{ number: 1, name: '[a 2/3] RUN x', step, start: 100, end: 150, cached: false, layerBytes: 10 }]);
  });
});
