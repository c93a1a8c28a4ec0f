/** "My searches": the user's searches, newest first, each a link that reopens its results. */
import type { SearchListItem } from '../../actions/lib/types';
import { byId, el } from './dom';

const photos = (n: number) => `${n} ${n === 1 ? 'photo' : 'photos'}`;

/** Where a listed search stands, in words. */
export function searchState(search: SearchListItem): string {
  const checked = search.processed + search.failed;
  switch (search.status) {
    case 'queued':
    case 'searching':
      return 'Searching posts';
    case 'comparing':
      return `Checking photos: ${checked} of ${photos(search.total)}`;
    case 'done':
      return search.total === 0 ? 'Done: no posts with photos' : `Done: ${search.matched} of ${photos(search.total)} show you`;
    case 'failed':
      return 'Failed';
    case 'cancelled':
      return `Cancelled after ${checked} of ${photos(search.total)}: ${search.matched} found`;
  }
}

/** The list; `open` reopens a search in place (the link works without script too: it is `?job=`). */
export function renderHistory(searches: SearchListItem[], open: (search: SearchListItem) => void): void {
  byId('history').hidden = false;
  byId('history-empty').hidden = searches.length > 0;
  byId('history-list').replaceChildren(
    ...searches.map((search) => {
      const link = el('a', { href: `?job=${encodeURIComponent(search.id)}` }, `#${search.hashtag}`);
      link.addEventListener('click', (event) => {
        event.preventDefault();
        open(search);
      });
      const when = el('time', { datetime: new Date(search.created).toISOString() }, new Date(search.created).toLocaleString());
      return el('li', { 'data-job-id': search.id }, link, ' ', when, ' ', el('span', { class: 'state' }, `${searchState(search)}.`));
    }),
  );
}
