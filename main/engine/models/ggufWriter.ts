/** A little-endian GGUF v3 byte writer: the header, metadata and tensor data of a model file. */

export const GGUF_U32 = 4;
export const GGUF_I32 = 5;
export const GGUF_F32 = 6;
export const GGUF_STRING = 8;
export const GGUF_ARRAY = 9;

/** Little-endian GGUF byte writer. */
export class GgufWriter {
  private chunks: Buffer[] = [];
  length = 0;

  private push(buffer: Buffer): void {
    this.chunks.push(buffer);
    this.length += buffer.length;
  }
  u32(value: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value);
    this.push(b);
  }
  i32(value: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(value);
    this.push(b);
  }
  u64(value: number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(value));
    this.push(b);
  }
  f32(value: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(value);
    this.push(b);
  }
  string(value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    this.u64(bytes.length);
    this.push(bytes);
  }
  raw(buffer: Buffer): void {
    this.push(buffer);
  }
  padTo(alignment: number): void {
    const pad = (alignment - (this.length % alignment)) % alignment;
    if (pad > 0) this.push(Buffer.alloc(pad));
  }
  kvU32(key: string, value: number): void {
    this.string(key);
    this.u32(GGUF_U32);
    this.u32(value);
  }
  kvF32(key: string, value: number): void {
    this.string(key);
    this.u32(GGUF_F32);
    this.f32(value);
  }
  kvString(key: string, value: string): void {
    this.string(key);
    this.u32(GGUF_STRING);
    this.string(value);
  }
  kvArray<T>(key: string, type: number, values: T[], write: (value: T) => void): void {
    this.string(key);
    this.u32(GGUF_ARRAY);
    this.u32(type);
    this.u64(values.length);
    for (const value of values) write(value);
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}
