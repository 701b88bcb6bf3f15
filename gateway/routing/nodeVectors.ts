/**
 * The embeddings a node sends for one job, believed only when whole and well formed: one
 * vector per input, each once, all of one length (the announced one, when announced), and
 * every value a finite number.
 */
import { base64ToFloat32 } from '../../common/openaiEmbeddings.js';

export class NodeVectors {
  private readonly vectors: (Float32Array | undefined)[];
  private size: number | undefined;
  private received = 0;

  constructor(inputs: number, announcedSize: number | undefined) {
    this.vectors = new Array<Float32Array | undefined>(inputs);
    this.size = announcedSize;
  }

  /** Adds input `index`'s vector; throws an Error saying what is wrong with it. */
  add(index: number, base64: string): void {
    if (index >= this.vectors.length) throw new Error(`vector ${index} is for no input`);
    if (this.vectors[index]) throw new Error(`vector ${index} was sent twice`);
    const vector = base64ToFloat32(base64);
    if (vector.length === 0) throw new Error(`vector ${index} is empty`);
    this.size ??= vector.length;
    if (vector.length !== this.size) {
      throw new Error(`vector ${index} has ${vector.length} values, not ${this.size}`);
    }
    if (!vector.every(Number.isFinite)) throw new Error(`vector ${index} holds a non-finite value`);
    this.vectors[index] = vector;
    this.received++;
  }

  /** Vectors received so far. */
  get count(): number {
    return this.received;
  }

  /** Every vector, in input order; throws when one is missing. */
  all(): Float32Array[] {
    if (this.received !== this.vectors.length) {
      throw new Error(`${this.received} of ${this.vectors.length} vectors were sent`);
    }
    return this.vectors as Float32Array[];
  }
}
