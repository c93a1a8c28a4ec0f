/**
 * `findme search <hashtag>`: a whole search from the terminal, through the platform — embedded (everything in
 * this process tree, your picture from --profile) or a running findme (--api, with an access token). Results on
 * stdout (match lines, or the final status as JSON with --json), progress and outcome on stderr.
 */
import { join } from 'node:path';
import { faceConfig } from '../../actions/lib/config';
import { FaceEngine } from '../../actions/lib/face/engine';
import { checkHashtag } from '../../actions/lib/hashtag-rule';
import type { MatchRecord, SearchStatusResponse } from '../../actions/lib/types';
import { startEmbedded } from '../../local/embedded';
import { ApiError, FindmeApi, loadPageConfig } from '../../client/api';
import { similarity } from '../../client/export';
import { followSearch } from '../../client/follow';
import { outcomeMessage } from '../../client/outcome';
import { profileDescriptorOf } from '../profile';
import { addReferences } from '../references';
import { ProgressBar } from '../progress';
import { UsageError, type ParsedArgs } from '../usage';

/** Three base64url parts separated by dots: anything else is not an access token, whatever the server would say. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Embedded mode's photos come from a stand-in that stops with the command, so its image URLs would lead nowhere
 * afterwards: only the post is named.
 */
function matchLine(match: MatchRecord, embedded: boolean): string {
  return `${match.band === 'maybe' ? 'maybe' : 'match'}  ${String(similarity(match.distance)).padStart(3)}% similar  ${match.postUrl}${embedded ? '' : `  ${match.imageUrl}`}`;
}

function withoutImageUrls(final: SearchStatusResponse): unknown {
  return { ...final, matches: final.matches.map(({ imageUrl: _gone, ...match }) => match) };
}

function tokenOf(args: ParsedArgs): string {
  const token = (args.values.token as string | undefined) ?? process.env.FINDME_TOKEN;
  if (!token) throw new UsageError('--api needs an access token: --token <token> or FINDME_TOKEN', 'search');
  if (!JWT_SHAPE.test(token.trim())) {
    const from = args.values.token === undefined ? 'FINDME_TOKEN' : '--token';
    throw new UsageError(`${from} is malformed: an access token is three parts separated by dots (a JWT), like the one your login gives`, 'search');
  }
  return token.trim();
}

export async function run(args: ParsedArgs): Promise<number> {
  const [raw, ...extra] = args.positionals;
  if (raw === undefined) throw new UsageError('name the hashtag to search, e.g. `findme search jsconfeu --profile me.jpg`', 'search');
  if (extra.length > 0) throw new UsageError(`one hashtag at a time; got also ${extra.join(' ')}`, 'search');
  const checked = checkHashtag(raw);
  if (!checked.ok) throw new UsageError(checked.message, 'search');
  const hashtag = checked.tag;
  const apiUrl = args.values.api as string | undefined;
  const profile = args.values.profile as string | undefined;
  const json = args.values.json === true;
  if (apiUrl && profile) throw new UsageError('--profile is for embedded mode; with --api your picture comes from your login', 'search');
  if (!apiUrl && !profile) throw new UsageError('give --profile <image> (embedded mode) or --api <url> with --token', 'search');

  let api: FindmeApi;
  let close = async () => undefined as void;
  if (apiUrl) {
    const token = tokenOf(args);
    const config = await loadPageConfig(apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`);
    api = new FindmeApi(config.apiBase, async () => token);
  } else {
    // A picture that is not an image, or shows no face or several, is said now, not after the platform started.
    process.stderr.write('Checking the profile picture…\n');
    await profileDescriptorOf(FaceEngine.fromConfig(faceConfig({})), profile!);
    process.stderr.write('Starting findme locally…\n');
    const embedded = await startEmbedded({ projectRoot: join(import.meta.dirname, '..', '..'), profileImage: profile! });
    api = new FindmeApi(embedded.stack.apiBase, async () => embedded.token);
    close = embedded.close;
  }

  const also = Array.isArray(args.values.also) ? args.values.also.map(String) : [];
  const bar = new ProgressBar();
  try {
    await addReferences(api, also, (line) => process.stderr.write(`${line}\n`));
    const jobId = await api.register(hashtag);
    process.stderr.write(`Searching #${hashtag} (job ${jobId})\n`);
    const { final } = await followSearch(api, jobId, {
      onStatus: (status) => bar.update(status),
      onMatch: (match) => {
        if (json) return;
        bar.clear();
        process.stdout.write(`${matchLine(match, !apiUrl)}\n`);
      },
    });
    bar.end();
    if (json) process.stdout.write(`${JSON.stringify(apiUrl ? final : withoutImageUrls(final), null, 2)}\n`);
    process.stderr.write(`${outcomeMessage(final).text}\n`);
    return final.status === 'done' ? 0 : 1;
  } catch (error) {
    bar.end();
    if (error instanceof ApiError) throw new Error(error.message);
    throw error;
  } finally {
    await close();
  }
}
