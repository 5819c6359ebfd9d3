import type { GatewayGenerationRecord, GatewayTraceSink, GatewayTraceSinkStats } from '@flywheel/core';

/**
 * The frame finished gateway calls cross to the writer thread in:
 *
 * | bytes | what |
 * | --- | --- |
 * | 0 | {@link gatewayFrame} |
 * | 1–4 | the request id (little-endian, filled by the writer's client) |
 * | 5–8 | how many calls |
 * | then, per call | its record's JSON (u32 length, UTF-8), its stream's bytes (u32 length, or `0xffffffff` for none), its events' times (u32 count, then µs as u32 each) |
 *
 * Everything from byte 9 on is appended to the gateway log as it is: the writer parses none of
 * it. A stream's events ride as bytes rather than in the JSON: escaping their quotes into a JSON
 * string cost the request thread more than copying them (bench/gateway, decision 0013).
 */
export const gatewayFrame = 1;
/** Bytes before what the log keeps. */
export const gatewayHeaderBytes = 9;

const noStream = 0xffffffff;

/**
 * Frame buffers to reuse: the writer thread hands each frame's buffer back once it is appended.
 * Allocating a fresh buffer per frame cost page faults on the request thread, and the
 * writer's heap let the dead ones pile up until a collection (+10 % RSS over 100,000 calls,
 * bench/gateway/memory.mjs).
 */
export interface FramePool {
  /** A buffer of at least `bytes` (reused when one is free). */
  take(bytes: number): Buffer;
  /** A buffer back from the writer. */
  give(buffer: ArrayBuffer): void;
}

/**
 * A pool that keeps up to `keep` buffers of `frameBytes`. A frame is one append to the gateway
 * log (two flushes to disk, decision 0021): 1 MiB frames take a quarter of the appends 256 KiB
 * ones did with streamed calls (bench/gateway).
 */
export function createFramePool(frameBytes = 1024 * 1024, keep = 4): FramePool {
  const free: ArrayBuffer[] = [];
  return {
    take(bytes) {
      if (bytes <= frameBytes) {
        const reused = free.pop();
        if (reused) return Buffer.from(reused);
      }
      return Buffer.allocUnsafeSlow(Math.max(frameBytes, bytes));
    },
    give(buffer) {
      if (buffer.byteLength === frameBytes && free.length < keep) free.push(buffer);
    },
  };
}

/** Options of {@link createGatewayTraceSink}. */
export interface GatewayTraceSinkOptions {
  /** Sends a sealed frame (header bytes 1–4 left for the id); resolves once it is durably appended. */
  append(frame: Uint8Array): Promise<void>;
  /** Bytes queued or in flight at most; beyond it calls are dropped and counted (default 16 MiB). */
  maxPendingBytes?: number;
  /** Where frame buffers come from (default: a new pool of 1 MiB buffers). */
  frames?: FramePool;
  /** How long a call may wait for a fuller frame (ms, default 100). */
  delayMs?: number;
  /** A frame could not be appended (its calls are counted as failed). */
  onExportError?(error: unknown, calls: number): void;
}

/**
 * The gateway's trace sink: each call is encoded into a frame the moment it is added, so what
 * waits for the next flush is bytes outside V8's heap, not the call's objects. Holding those
 * objects for up to 200 ms (as a queue of records did) kept them alive through young-generation
 * collections into the old generation, and made V8's collector threads ~3× busier per call
 * (bench/gateway, decision 0013).
 */
export function createGatewayTraceSink(options: GatewayTraceSinkOptions): GatewayTraceSink {
  const maxPendingBytes = options.maxPendingBytes ?? 16 * 1024 * 1024;
  const frames = options.frames ?? createFramePool();
  const delayMs = options.delayMs ?? 100;
  const stats: GatewayTraceSinkStats = { queued: 0, exported: 0, dropped: 0, failed: 0 };
  let frame: Buffer | undefined;
  let offset = 0;
  let calls = 0;
  let inFlightBytes = 0;
  const inFlight = new Set<Promise<void>>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let shutDown: Promise<void> | undefined;

  const seal = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (!frame || calls === 0) return;
    const sealed = frame.subarray(0, offset);
    sealed[0] = gatewayFrame;
    sealed.writeUInt32LE(calls, 5);
    const sent = calls;
    const bytes = offset;
    frame = undefined;
    calls = 0;
    offset = 0;
    inFlightBytes += bytes;
    const sending = options.append(sealed).then(
      () => {
        stats.exported += sent;
      },
      (error: unknown) => {
        stats.failed += sent;
        options.onExportError?.(error, sent);
      },
    );
    const settled = sending.finally(() => {
      inFlightBytes -= bytes;
      stats.queued -= sent;
      inFlight.delete(settled);
    });
    inFlight.add(settled);
  };

  return {
    add(record, stream) {
      if (shutDown !== undefined) {
        stats.dropped++;
        return false;
      }
      const json = JSON.stringify(record);
      let streamBytes = 0;
      if (stream) for (const event of stream.events) streamBytes += event.byteLength;
      const times = stream ? stream.times.length : 0;
      // At most three UTF-8 bytes per UTF-16 unit.
      const most = 12 + json.length * 3 + streamBytes + times * 4;
      if (inFlightBytes + offset + most > maxPendingBytes) {
        stats.dropped++;
        return false;
      }
      if (frame === undefined || offset + most > frame.length) {
        seal();
        frame = frames.take(gatewayHeaderBytes + most);
        offset = gatewayHeaderBytes;
      }
      const target = frame;
      const written = target.write(json, offset + 4, 'utf8');
      target.writeUInt32LE(written, offset);
      offset += 4 + written;
      if (stream) {
        target.writeUInt32LE(streamBytes, offset);
        offset += 4;
        for (const event of stream.events) {
          target.set(event, offset);
          offset += event.byteLength;
        }
        target.writeUInt32LE(times, offset);
        offset += 4;
        for (const time of stream.times) {
          target.writeUInt32LE(Math.min(noStream - 1, Math.max(0, Math.round(time * 1000))), offset);
          offset += 4;
        }
      } else {
        target.writeUInt32LE(noStream, offset);
        target.writeUInt32LE(0, offset + 4);
        offset += 8;
      }
      calls++;
      stats.queued++;
      if (offset > target.length - 4096) seal();
      else if (timer === undefined) {
        timer = setTimeout(seal, delayMs);
        timer.unref();
      }
      return true;
    },
    async forceFlush() {
      seal();
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
    shutdown() {
      shutDown ??= this.forceFlush();
      return shutDown;
    },
    stats: () => ({ ...stats }),
  };
}

/** The calls of a log entry (a frame from byte 9 on), each stream's text and times read back. */
export function decodeGatewayRecords(entry: Uint8Array): GatewayGenerationRecord[] {
  const bytes = Buffer.from(entry.buffer, entry.byteOffset, entry.byteLength);
  const records: GatewayGenerationRecord[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const jsonBytes = bytes.readUInt32LE(offset);
    offset += 4;
    const record = JSON.parse(bytes.toString('utf8', offset, offset + jsonBytes)) as GatewayGenerationRecord;
    offset += jsonBytes;
    const streamBytes = bytes.readUInt32LE(offset);
    offset += 4;
    const times = bytes.readUInt32LE(streamBytes === noStream ? offset : offset + streamBytes);
    if (streamBytes !== noStream) {
      record.streamText = bytes.toString('utf8', offset, offset + streamBytes);
      offset += streamBytes;
      const streamTimes: number[] = [];
      for (let index = 0; index < times; index++)
        streamTimes.push(bytes.readUInt32LE(offset + 4 + index * 4) / 1000);
      record.streamTimes = streamTimes;
    }
    offset += 4 + times * 4;
    records.push(record);
  }
  return records;
}
