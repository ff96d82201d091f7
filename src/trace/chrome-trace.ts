// Spans → Chrome's Trace Event Format (the JSON Perfetto and chrome://tracing open): one
// complete event (`ph: "X"`) per vertex, one thread (track) per stage, named by
// metadata events, so parallel stages sit on parallel tracks.
import { stageLabel, type Span } from './recorder.js';

export interface TraceEvent {
  name: string;
  ph: 'X' | 'M';
  pid: number;
  tid: number;
  /** Microseconds from the start of the build. */
  ts?: number;
  dur?: number;
  cat?: string;
  args: Record<string, unknown>;
}

const PID = 1;
/** Vertices that are not Dockerfile steps (context, export, cache) share this track. */
const INTERNAL_TID = 0;

/** The track of a stage: stage index + 1, leaving 0 for internal work. */
export function stageTid(stage: number): number {
  return stage + 1;
}

export function chromeTrace(spans: readonly Span[]): { traceEvents: TraceEvent[]; displayTimeUnit: 'ms' } {
  const origin = Math.min(...spans.map((s) => s.start));
  const events: TraceEvent[] = [{ name: 'process_name', ph: 'M', pid: PID, tid: INTERNAL_TID, args: { name: 'tsbuild build' } }];
  const tracks = new Map<number, string>([[INTERNAL_TID, 'internal']]);
  for (const span of spans) {
    const tid = span.step ? stageTid(span.step.stage) : INTERNAL_TID;
    if (span.step && !tracks.has(tid)) tracks.set(tid, stageLabel(span.step));
    events.push({
      name: span.step?.instruction ?? span.name,
      cat: span.step ? 'step' : 'internal',
      ph: 'X',
      pid: PID,
      tid,
      ts: (span.start - origin) * 1000,
      dur: ((span.end ?? span.start) - span.start) * 1000,
      args: {
        vertex: span.name,
        ...(span.step ? { stage: stageLabel(span.step), instruction: span.step.instruction } : {}),
        cached: span.cached,
        ...(span.layerBytes === undefined ? {} : { bytesWritten: span.cached ? 0 : span.layerBytes, layerBytes: span.layerBytes }),
        ...(span.error === undefined ? {} : { error: span.error }),
      },
    });
  }
  for (const [tid, name] of tracks) {
    events.push({ name: 'thread_name', ph: 'M', pid: PID, tid, args: { name } });
    events.push({ name: 'thread_sort_index', ph: 'M', pid: PID, tid, args: { sort_index: tid } });
  }
  return { traceEvents: events, displayTimeUnit: 'ms' };
}
