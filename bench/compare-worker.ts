/**
 * One cold compare_images: a fresh process (bundled like an action, so its start-up is an action container's)
 * times the stages of its first photo from process start, compares the rest warm, and prints the first photo's
 * stages as JSON with the process's CPU time and peak memory.
 *
 * Usage: compare-worker [--tiny <input size>] <photo>...
 */
import { readFile } from 'node:fs/promises';
import { DEFAULT_DETECTOR, type DetectorOptions } from '../actions/lib/face/detect';
import { timeStages } from './stages';

const args = process.argv.slice(2);
let detector: DetectorOptions = DEFAULT_DETECTOR;
if (args[0] === '--tiny') {
  detector = { detector: 'tiny', inputSize: Number(args[1]), minConfidence: DEFAULT_DETECTOR.minConfidence };
  args.splice(0, 2);
}
if (args.length === 0) throw new Error('usage: compare-worker [--tiny <input size>] <photo>...');
const first = await timeStages(await readFile(args[0]!), undefined, { since: 0, detector });
for (const file of args.slice(1)) await timeStages(await readFile(file), undefined, { detector });
process.stdout.write(JSON.stringify({ ...first, peakRssBytes: process.resourceUsage().maxRSS * 1024 }) + '\n');
