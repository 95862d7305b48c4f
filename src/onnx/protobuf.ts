/**
 * Protobuf wire-format primitives, just enough for ONNX models. No dependencies and no Node APIs,
 * so the same code runs in browsers. Integers are JS numbers: int64 is exact within ±2^53.
 */

export const WIRE = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;
type ScalarWire = typeof WIRE.VARINT | typeof WIRE.I64 | typeof WIRE.I32;

const TWO_32 = 2 ** 32;
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** Builds one message; fields go out in the order they are written, so write them by field number. */
export class ProtoWriter {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  private pos = 0;

  /** A varint; negative int64 values take 10 bytes of two's complement, as protobuf requires. */
  varint(value: number): this {
    if (!Number.isSafeInteger(value)) throw new RangeError(`protobuf: ${value} is not an integer within ±2^53`);
    this.reserve(10);
    let lo = value >>> 0;
    let hi = Math.floor(value / TWO_32) >>> 0; // floor keeps the high word right for negatives
    while (hi !== 0 || lo > 0x7f) {
      this.buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.buf[this.pos++] = lo;
    return this;
  }

  int64(field: number, value: number): this {
    return this.tag(field, WIRE.VARINT).varint(value);
  }

  float(field: number, value: number): this {
    return this.tag(field, WIRE.I32).fixed(value, 4);
  }

  double(field: number, value: number): this {
    return this.tag(field, WIRE.I64).fixed(value, 8);
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE.LEN).varint(value.length).reserve(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, utf8Encoder.encode(value));
  }

  /** A length-delimited field whose body `write` appends; the body then moves up to make room for its length. */
  message(field: number, write: (w: this) => void): this {
    this.tag(field, WIRE.LEN);
    const start = this.pos;
    write(this);
    const end = this.pos;
    let prefix = 1;
    while (end - start >= 2 ** (7 * prefix)) prefix++;
    this.reserve(prefix);
    this.buf.copyWithin(start + prefix, start, end);
    this.pos = start;
    this.varint(end - start);
    this.pos = end + prefix;
    return this;
  }

  /** Packed repeated fields write nothing when empty, like an absent repeated field. */
  packedFloats(field: number, values: readonly number[]): this {
    return values.length ? this.message(field, () => values.forEach((v) => this.fixed(v, 4))) : this;
  }

  packedDoubles(field: number, values: readonly number[]): this {
    return values.length ? this.message(field, () => values.forEach((v) => this.fixed(v, 8))) : this;
  }

  packedInt64s(field: number, values: readonly number[]): this {
    return values.length ? this.message(field, () => values.forEach((v) => this.varint(v))) : this;
  }

  /** A copy of the bytes written so far. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  private tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  private fixed(value: number, size: 4 | 8): this {
    this.reserve(size);
    if (size === 4) this.view.setFloat32(this.pos, value, true);
    else this.view.setFloat64(this.pos, value, true);
    this.pos += size;
    return this;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
}

/**
 * Reads one message: `while (r.next())` sets `field` and `wire`, then the caller reads the value
 * with the method for its type or calls `skip()`. Errors name the absolute byte offset.
 */
export class ProtoReader {
  field = 0;
  wire = 0;
  private readonly view: DataView;

  constructor(
    readonly buf: Uint8Array,
    public pos = 0,
    readonly end = buf.length,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Advances to the next field; false at the end of the message. */
  next(): boolean {
    if (this.pos >= this.end) return false;
    const at = this.pos;
    const tag = this.varint();
    if (tag < 8 || tag >= TWO_32 || (tag & 7) > 5) this.fail(`invalid tag ${tag}`, at);
    this.field = tag >>> 3;
    this.wire = tag & 7;
    return true;
  }

  /** A varint as int64 (two's complement), exact within ±2^53. */
  varint(): number {
    // One byte, the common case, in small-integer arithmetic: the general path makes heap numbers while the code is cold.
    const first = this.buf[this.pos]!;
    if (first < 0x80 && this.pos < this.end) {
      this.pos++;
      return first;
    }
    const at = this.pos;
    let lo = 0;
    let hi = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      const b = this.buf[this.need(1)]!;
      if (shift < 32) lo |= (b & 0x7f) << shift;
      if (shift > 25) hi |= shift < 32 ? (b & 0x7f) >>> (32 - shift) : (b & 0x7f) << (shift - 32);
      if (b < 0x80) {
        // A set top bit is a negative int64: ~ and +1 give its magnitude exactly.
        return hi < 0 ? -((~hi >>> 0) * TWO_32 + (~lo >>> 0) + 1) : hi * TWO_32 + (lo >>> 0);
      }
    }
    return this.fail('varint longer than 10 bytes', at);
  }

  int64(): number {
    return this.expect(WIRE.VARINT).scalar(WIRE.VARINT);
  }

  float(): number {
    return this.expect(WIRE.I32).scalar(WIRE.I32);
  }

  double(): number {
    return this.expect(WIRE.I64).scalar(WIRE.I64);
  }

  /** A length-delimited value, as a view into the input (not a copy). */
  bytes(): Uint8Array {
    const start = this.expect(WIRE.LEN).need(this.varint());
    return this.buf.subarray(start, this.pos);
  }

  string(): string {
    const start = this.expect(WIRE.LEN).need(this.varint());
    return recentString(this.buf, start, this.pos) ?? utf8Decoder.decode(this.buf.subarray(start, this.pos));
  }

  /** A reader for an embedded message; it shares the buffer, so its error offsets stay absolute. */
  message(): ProtoReader {
    const start = this.expect(WIRE.LEN).need(this.varint());
    return new ProtoReader(this.buf, start, this.pos);
  }

  /** A repeated scalar's next values, packed or one per field (parsers must accept both): appended to `out`, or a new array. */
  repeated(out: number[] | undefined, wire: ScalarWire): number[] {
    if (this.wire !== WIRE.LEN) {
      const value = this.expect(wire).scalar(wire);
      if (!out) return [value];
      out.push(value);
      return out;
    }
    const start = this.expect(WIRE.LEN).need(this.varint());
    const run =
      wire === WIRE.VARINT
        ? packedVarints(new ProtoReader(this.buf, start, this.pos))
        : packedFixed(this.buf, start, this.pos, wire === WIRE.I32 ? 4 : 8);
    if (!out) return run;
    for (let i = 0; i < run.length; i++) out.push(run[i]!);
    return out;
  }

  /** Skips the current field's value, whatever its wire type; a group is skipped to its matching end. */
  skip(): void {
    const groups: number[] = [];
    for (;;) {
      if (this.wire === WIRE.VARINT) this.varint();
      else if (this.wire === WIRE.I64 || this.wire === WIRE.I32) this.need(this.wire === WIRE.I64 ? 8 : 4);
      else if (this.wire === WIRE.LEN) this.need(this.varint());
      else if (this.wire === WIRE.SGROUP) groups.push(this.field);
      else if (groups.pop() !== this.field) this.fail(`unmatched end-group for field ${this.field}`);
      if (!groups.length) return;
      if (!this.next()) this.fail(`group for field ${groups[groups.length - 1]} is not closed`);
    }
  }

  private scalar(wire: ScalarWire): number {
    if (wire === WIRE.VARINT) return this.varint();
    return wire === WIRE.I32 ? this.view.getFloat32(this.need(4), true) : this.view.getFloat64(this.need(8), true);
  }

  private expect(wire: number): this {
    if (this.wire !== wire) this.fail(`field ${this.field} has wire type ${this.wire}, expected ${wire}`);
    return this;
  }

  /** Consumes n bytes and returns where they start; a negative n is a malformed length. */
  private need(n: number): number {
    if (n < 0 || n > this.end - this.pos) this.fail(`truncated or malformed: ${n} bytes needed, ${this.end - this.pos} left`);
    this.pos += n;
    return this.pos - n;
  }

  private fail(what: string, at = this.pos): never {
    throw new Error(`protobuf: ${what} at byte ${at}`);
  }
}

/**
 * A tree ensemble's attributes are packed runs of thousands of values, read while the code is
 * still cold (interpreted): these loops read each value inline into an array of its final size,
 * since a growing array and per-value calls are what such code spends its time and memory on.
 */
function packedVarints(run: ProtoReader): number[] {
  const { buf, end } = run;
  let count = 0;
  for (let i = run.pos; i < end; i++) if (buf[i]! < 0x80) count++;
  const out = new Array<number>(count);
  for (let k = 0; run.pos < end; k++) {
    const b = buf[run.pos]!;
    if (b < 0x80) {
      out[k] = b;
      run.pos++;
    } else out[k] = run.varint();
  }
  return out;
}

const littleEndian = () => new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function packedFixed(buf: Uint8Array, start: number, end: number, size: 4 | 8): number[] {
  if ((end - start) % size !== 0)
    throw new Error(`protobuf: packed run of ${end - start} bytes is not a multiple of ${size} at byte ${start}`);
  const out = new Array<number>((end - start) / size);
  if (littleEndian()) {
    // A copy (a Node Buffer's slice would be a view), so the values are aligned for the typed array.
    const copy = new Uint8Array(buf.subarray(start, end)).buffer;
    const values = size === 4 ? new Float32Array(copy) : new Float64Array(copy);
    for (let i = 0; i < out.length; i++) out[i] = values[i]!;
  } else {
    const view = new DataView(buf.buffer, buf.byteOffset);
    for (let i = 0; i < out.length; i++) out[i] = size === 4 ? view.getFloat32(start + i * 4, true) : view.getFloat64(start + i * 8, true);
  }
  return out;
}

/** Short ASCII strings met lately: a repeated string field such as nodes_modes repeats a few values thousands of times. */
const recent: string[] = [];
const RECENT = 8;
const SHORT = 32;

/** buf[start, end) as one of the recent strings, or as a new short ASCII one (then remembered); undefined for the decoder. */
function recentString(buf: Uint8Array, start: number, end: number): string | undefined {
  const length = end - start;
  if (length > SHORT) return undefined;
  next: for (let r = 0; r < recent.length; r++) {
    const s = recent[r]!;
    if (s.length !== length) continue;
    for (let i = 0; i < length; i++) if (s.charCodeAt(i) !== buf[start + i]) continue next;
    return s;
  }
  let s = '';
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    if (b >= 0x80) return undefined;
    s += String.fromCharCode(b);
  }
  if (recent.unshift(s) > RECENT) recent.pop();
  return s;
}
