/**
 * "Your face": the user's reference faces as thumbnails, each with Delete; a photo added with the file picker or
 * dropped on the panel, downsized here before upload (downsize.ts). Every answer from the server re-renders the
 * whole list, so what is shown is what is stored.
 */
import type { ReferencesResponse, ReferenceView } from '../../actions/lib/types';
import type { FindmeApi } from '../../client/api';
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
    api.references().then((next) => render(api, next), (error: unknown) => note(error instanceof Error ? error.message : String(error), true));
  };
  zone.hidden = false;
  reload();
  return reload;
}
