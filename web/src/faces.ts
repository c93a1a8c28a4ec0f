/**
 * "Your face": the user's reference faces as thumbnails, each with Delete; a photo added with the file picker or
 * dropped on the panel, downsized here before upload (downsize.ts). Every answer from the server re-renders the
 * whole list, so what is shown is what is stored.
 */
import type { ReferencesResponse, ReferenceView } from '../../actions/lib/types';
import { isTransient, type FindmeApi } from '../../client/api';
import { byId, el } from './dom';
import { downsizeToJpeg } from './downsize';

const SOURCE_NAMES: Record<ReferenceView['source'], string> = { profile: 'your login picture', upload: 'a photo you added', match: 'a photo you confirmed' };

function note(text: string, error = false): void {
  const line = byId('faces-note');
  line.textContent = text;
  line.classList.toggle('error', error);
}

function render(api: FindmeApi, listing: ReferencesResponse): void {
  const { references, max } = listing;
  byId('face-list').replaceChildren(
    ...references.map((ref) => {
      const remove = el('button', { type: 'button', class: 'secondary small', 'aria-label': `Delete this reference face (${SOURCE_NAMES[ref.source]})` }, 'Delete');
      remove.addEventListener('click', () => {
        remove.disabled = true;
        api.deleteReference(ref.id).then((next) => render(api, next), (error: unknown) => {
          remove.disabled = false;
          note(error instanceof Error ? error.message : String(error), true);
        });
      });
      return el('li', { class: 'reference', 'data-reference-id': ref.id }, el('img', { src: ref.thumbnail, alt: `Reference face from ${SOURCE_NAMES[ref.source]}`, width: '96', height: '96' }), remove);
    }),
  );
  const full = references.length >= max;
  byId<HTMLInputElement>('face-file').disabled = full;
  byId('faces-count').textContent = `${references.length} of ${max}`;
  if (listing.profileNote) note(listing.profileNote);
  else if (full) note(`You have ${max} reference faces, the most allowed: delete one to add another.`);
  else if (references.length === 0) note('No reference faces: add a photo of yourself, or searches have no face to look for.', true);
  else note('');
}

/**
 * After a listing that failed for the platform's sake (the face engine's first run in a cold container, a
 * throttled namespace), it is asked again, a bounded number of times, so the panel does not stay empty until the
 * user thinks of reloading.
 */
export const LIST_RETRY_DELAYS_MS: readonly number[] = [5_000, 15_000, 30_000];

async function list(api: FindmeApi): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return render(api, await api.references());
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const delay = LIST_RETRY_DELAYS_MS[attempt];
      if (delay === undefined || !isTransient(error)) return note(message, true);
      note(`${message} Trying again in ${Math.round(delay / 1000)} s…`, true);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

async function upload(api: FindmeApi, file: File): Promise<void> {
  note('Adding the photo…');
  try {
    render(api, await api.addReference(await downsizeToJpeg(file)));
  } catch (error) {
    note(error instanceof Error ? error.message : String(error), true);
  }
}

/** Loads the panel and wires adding (picker, drop); returns a reload for after "Add this face to my references". */
export function wireFaces(api: FindmeApi): (listing?: ReferencesResponse) => void {
  const input = byId<HTMLInputElement>('face-file');
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    input.value = '';
    if (file) void upload(api, file);
  });
  const zone = byId('faces');
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('dropping');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dropping'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dropping');
    const file = event.dataTransfer?.files[0];
    if (file) void upload(api, file);
  });
  const reload = (listing?: ReferencesResponse) => {
    if (listing) return render(api, listing);
    void list(api);
  };
  zone.hidden = false;
  reload();
  return reload;
}
