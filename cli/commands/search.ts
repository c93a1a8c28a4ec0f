/**
 * `findme search <hashtag>`: a whole search from the terminal, through the platform — embedded (everything in
 * this process tree, your picture from --profile) or a running findme (--api, with an access token).
 */
import { join } from 'node:path';
import { HttpError } from '../../actions/lib/errors';
import { parseHashtag } from '../../actions/lib/hashtag';
import type { MatchRecord } from '../../actions/lib/types';
import { startEmbedded } from '../../local/embedded';
import { ApiError, FindmeApi, loadPageConfig } from '../../client/api';
import { similarity } from '../../client/export';
import { followSearch } from '../../client/follow';
import { ProgressBar } from '../progress';
import { UsageError, type ParsedArgs } from '../usage';

function matchLine(match: MatchRecord): string {
  return `match  ${String(similarity(match.distance)).padStart(3)}% similar  ${match.tweetUrl}  ${match.imageUrl}`;
}

export async function run(args: ParsedArgs): Promise<number> {
  const [raw, ...extra] = args.positionals;
  if (raw === undefined) throw new UsageError('name the hashtag to search, e.g. `findme search jsconfeu --profile me.jpg`', 'search');
  if (extra.length > 0) throw new UsageError(`one hashtag at a time; got also ${extra.join(' ')}`, 'search');
  let hashtag: string;
  try {
    hashtag = parseHashtag(raw);
  } catch (error) {
    throw new UsageError(error instanceof HttpError ? error.message : String(error), 'search');
  }
  const apiUrl = args.values.api as string | undefined;
  const profile = args.values.profile as string | undefined;
  const json = args.values.json === true;
  if (apiUrl && profile) throw new UsageError('--profile is for embedded mode; with --api your picture comes from your login', 'search');
  if (!apiUrl && !profile) throw new UsageError('give --profile <image> (embedded mode) or --api <url> with --token', 'search');

  let api: FindmeApi;
  let close = async () => undefined as void;
  if (apiUrl) {
    const token = (args.values.token as string | undefined) ?? process.env.FINDME_TOKEN;
    if (!token) throw new UsageError('--api needs an access token: --token <token> or FINDME_TOKEN', 'search');
    const config = await loadPageConfig(apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`);
    api = new FindmeApi(config.apiBase, async () => token);
  } else {
    if (!json) process.stderr.write('starting findme locally…\n');
    const embedded = await startEmbedded({ projectRoot: join(import.meta.dirname, '..', '..'), profileImage: profile! });
    api = new FindmeApi(embedded.stack.apiBase, async () => embedded.token);
    close = embedded.close;
  }

  const bar = new ProgressBar();
  try {
    const jobId = await api.register(hashtag);
    if (!json) process.stderr.write(`searching #${hashtag} (job ${jobId})\n`);
    const { final } = await followSearch(api, jobId, {
      onStatus: (status) => {
        if (!json) bar.update(status);
      },
      onMatch: (match) => {
        if (json) return;
        bar.clear();
        process.stdout.write(`${matchLine(match)}\n`);
      },
    });
    bar.end();
    if (json) process.stdout.write(`${JSON.stringify(final, null, 2)}\n`);
    else if (final.status === 'failed') process.stderr.write(`search failed: ${final.error ?? 'unknown reason'}\n`);
    else {
      process.stderr.write(`done: ${final.matched} of ${final.total} photos match (${final.failed} could not be checked)\n`);
      if (final.searchNote) process.stderr.write(`not every post was searched: ${final.searchNote}\n`);
    }
    return final.status === 'done' ? 0 : 1;
  } catch (error) {
    bar.end();
    if (error instanceof ApiError) throw new Error(error.message);
    throw error;
  } finally {
    await close();
  }
}
