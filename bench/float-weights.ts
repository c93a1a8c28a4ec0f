/**
 * The face models with their weights stored as float32 instead of uint8-quantized: what model loading costs when
 * tfjs need not dequantize ~12 M weights in JavaScript (the bulk of its time), at the price of files 4× larger.
 * Written to a temporary folder from the verified weights/ (never committed); FINDME_WEIGHTS_DIR points a cold
 * process at it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FaceRuntime } from '../actions/lib/face/backend';
import { netsFor } from '../actions/lib/face/detect';
import { MODEL_FILES } from '../actions/lib/face/models';

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  quantization?: unknown;
}

export async function writeFloatWeights(runtime: FaceRuntime, weightsDir: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'findme-float-weights-'));
  for (const net of netsFor('ssd')) {
    const stem = MODEL_FILES[net];
    const groups = JSON.parse(readFileSync(join(weightsDir, `${stem}-weights_manifest.json`), 'utf8')) as Array<{ paths: string[]; weights: WeightSpec[] }>;
    const specs = groups.flatMap((g) => g.weights);
    const bin = Buffer.concat(groups.flatMap((g) => g.paths.map((p) => readFileSync(join(weightsDir, p)))));
    const tensors = runtime.tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), specs as Parameters<typeof runtime.tf.io.decodeWeights>[1]);
    const parts: Buffer[] = [];
    for (const spec of specs) {
      const data = await tensors[spec.name]!.data();
      parts.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      tensors[spec.name]!.dispose();
    }
    writeFileSync(join(dir, `${stem}.bin`), Buffer.concat(parts));
    writeFileSync(join(dir, `${stem}-weights_manifest.json`), JSON.stringify([{ paths: [`${stem}.bin`], weights: specs.map(({ name, shape, dtype }) => ({ name, shape, dtype })) }]));
  }
  return dir;
}
