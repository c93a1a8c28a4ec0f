import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { checkHashtag } from '../actions/lib/hashtag-rule';
import type { SearchStatusResponse } from '../actions/lib/types';
import { startLocal } from '../local/start';
import { demoPhoto } from '../local/standins/demo';
import { SAMPLE1_FACES } from './helpers/images';
import { PROJECT_ROOT } from './helpers/platform';

function findme(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'findme.js'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const cleanEnv = { ...process.env };
for (const name of ['REDIS_URL', 'X_BEARER_TOKEN', 'AUTH0_DOMAIN', 'FINDME_IMAGE_HOSTS', 'FINDME_TOKEN']) delete cleanEnv[name];

test('findme search --profile --also runs a whole search locally, adding the reference face first, and prints the final status as JSON', { timeout: 180_000 }, async (t) => {
  // One embedded search (each costs a private platform and the engine on six photos): the profile alone is
  // pipeline-search's "the demo hashtag finds exactly the photo with the demo user".
  const profile = join(PROJECT_ROOT, 'test', 'output', 'cli-profile-ada.jpg');
  const also = join(PROJECT_ROOT, 'test', 'output', 'cli-also-grace.jpg');
  mkdirSync(join(PROJECT_ROOT, 'test', 'output'), { recursive: true });
  await sharp(demoPhoto(1)).extract({ left: 286, top: 259, width: 432, height: 432 }).resize(400, 400).jpeg().toFile(profile);
  await sharp(demoPhoto(3)).extract({ left: 440, top: 220, width: 490, height: 490 }).resize(1600, 1600).jpeg().toFile(also);
  const result = await findme(['search', '#findmedemo', '--profile', profile, '--also', also, '--json'], cleanEnv);
  t.diagnostic(result.stderr);
  assert.equal(result.code, 0, result.stderr);
  const final = JSON.parse(result.stdout) as SearchStatusResponse;
  assert.equal(final.status, 'done');
  assert.equal(final.total, 6);
  const sure = final.matches.filter((m) => m.band === 'match').map((m) => m.postId).sort();
  assert.deepEqual(sure, ['1900000000000000004', '1900000000000000005'], 'sample3 (the added face) and sample1 (the profile)');
  // The stand-in serving the photos stops with the command: no URL of it is printed.
  for (const match of final.matches) assert.equal('imageUrl' in match, false);
  // Progress goes to stderr, as plain lines (stderr is a pipe here), ending with the outcome.
  assert.match(result.stderr, /^Checking the profile picture…\nStarting findme locally…\nAdded .*cli-also-grace\.jpg to your reference faces \(2 of 5\)\.\n/);
  // "matched" counts the sure matches; the maybes are named apart, for the user to check.
  const maybes = final.matches.length - sure.length;
  assert.match(result.stderr, /^Done\. 6 of 6 photos checked, 2 matched, 0 failed$/m);
  assert.match(result.stderr, new RegExp(`\\nDone: 2 of 6 photos show you\\.${maybes ? ` ${maybes} more may show you: check ${maybes === 1 ? 'it' : 'them'}\\.` : ''}\\n$`));
  assert.doesNotMatch(result.stderr, /tfjs-node|face engine:/);
});

test('findme search --api follows a search on a running findme, printing matches as they arrive', { timeout: 180_000 }, async () => {
  const running = await startLocal({ projectRoot: PROJECT_ROOT, port: 0, verbose: false, env: cleanEnv, log: () => undefined });
  after(() => running.close());
  const token = await running.identity!.issueAccessToken({ sub: 'local|ada' });
  const result = await findme(['search', 'findmedemo', '--api', running.url], { ...cleanEnv, FINDME_TOKEN: token });
  assert.equal(result.code, 0, result.stderr);
  // findme start searches the three stand-ins: Ada's team photo is on each, one line per match, in arrival order.
  const lines = result.stdout.split('\n').filter(Boolean).sort();
  assert.equal(lines.length, 3, result.stdout);
  assert.match(lines[0]!, /^match\s+\d+% similar {2}https:\/\/bsky\.app\/profile\/ari\.bsky\.social\/post\/3lfindme0003 {2}http:\/\/127\.0\.0\.1:\d+\/img\/feed_fullsize\//);
  assert.match(lines[1]!, /^match\s+\d+% similar {2}https:\/\/social\.example\/@ari\/113000000000000004 {2}http:\/\/127\.0\.0\.1:\d+\/system\/media_attachments\//);
  assert.match(lines[2]!, /^match\s+\d+% similar {2}https:\/\/x\.com\/bo\/status\/1900000000000000005 {2}http:\/\/127\.0\.0\.1:\d+\/media\/3_101\.jpg$/);
  // stdout is a pipe (as in `findme search … | cat`): progress still shows, on stderr, one line per change.
  assert.match(result.stderr, /^(Searching posts…|Preparing the face engine…|Checking photos…) \d+ of \d+\+? photos checked, \d+ matched, \d+ failed$/m);
  assert.match(result.stderr, /\nDone: 3 of 14 photos show you\.\n$/, 'X 6, Mastodon 4, Bluesky 4');
  const malformed = await findme(['search', 'findmedemo', '--api', running.url, '--token', 'not-a-token'], cleanEnv);
  assert.equal(malformed.code, 2);
  assert.match(malformed.stderr, /^findme: --token is malformed: an access token is three parts separated by dots/);
  const expired = await findme(['search', 'findmedemo', '--api', running.url, '--token', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln'], cleanEnv);
  assert.equal(expired.code, 1);
  assert.match(expired.stderr, /Your session has expired\. Log in again\./);
});

test('findme search explains its usage errors with exit code 2', async () => {
  for (const [args, message] of [
    [['search'], /name the hashtag/],
    [['search', '../x', '--profile', 'a.jpg'], /^findme: A hashtag is one word of letters, digits and underscores, like #jsconfeu\.$/m],
    [['search', 'a'.repeat(150), '--profile', 'a.jpg'], new RegExp(`^findme: ${(checkHashtag('a'.repeat(150)) as { message: string }).message.replace('.', '\\.')}$`, 'm')],
    [['search', 'tag'], /give --profile/],
    [['search', 'tag', '--api', 'http://127.0.0.1:1'], /needs an access token/],
    [['search', 'tag', '--profile', 'a.jpg', '--api', 'http://x'], /--profile is for embedded mode/],
  ] as Array<[string[], RegExp]>) {
    const result = await findme(args, cleanEnv);
    assert.equal(result.code, 2, args.join(' '));
    assert.match(result.stderr, message);
  }
  const missing = await findme(['search', 'tag', '--profile', '/nonexistent.jpg'], cleanEnv);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^findme: profile picture: cannot read \/nonexistent\.jpg: no such file$/m);
});

test('findme search checks --profile before it starts the platform: a text file, a group photo', { timeout: 120_000 }, async () => {
  const text = join(PROJECT_ROOT, 'test', 'output', 'cli-profile.txt');
  mkdirSync(join(PROJECT_ROOT, 'test', 'output'), { recursive: true });
  writeFileSync(text, 'not a picture\n');
  const notImage = await findme(['search', 'tag', '--profile', text], cleanEnv);
  assert.equal(notImage.code, 1);
  assert.match(notImage.stderr, /^findme: profile picture: .*not an image/m);
  const group = await findme(['search', 'tag', '--profile', demoPhoto(1)], cleanEnv);
  assert.equal(group.code, 1);
  assert.match(group.stderr, new RegExp(`^findme: profile picture: several faces of similar size \\(${SAMPLE1_FACES.length} found\\)`, 'm'));
  for (const result of [notImage, group]) assert.doesNotMatch(result.stderr, /Starting findme locally|tfjs-node/);
});
