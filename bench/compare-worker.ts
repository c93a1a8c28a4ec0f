/**
 * One cold compare: a fresh process (bundled like an action, so its start-up is an action container's) times the
 * stages of its first photo from process start, and prints them as JSON with its peak memory.
 */
import { readFile } from 'node:fs/promises';
import { timeStages } from './stages';

const [file] = process.argv.slice(2);
if (!file) throw new Error('usage: compare-worker <photo>');
const times = await timeStages(await readFile(file), undefined, { since: 0 });
process.stdout.write(JSON.stringify({ ...times, peakRssBytes: process.resourceUsage().maxRSS * 1024 }) + '\n');
