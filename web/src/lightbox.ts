/**
 * The lightbox: one photo at full size with the face outlined, in a modal <dialog> (Escape closes it, focus stays
 * inside while open); closing gives focus back to the card that opened it.
 */
import type { MatchRecord } from '../../actions/lib/types';
import { similarity } from '../../client/export';
import { boxPercent } from '../../client/box';
import { byId, externalLink } from './dom';

let opener: HTMLElement | undefined;

/** Places an outline over a photo, in percent of it, so it follows the photo at any size. */
export function placeOutline(outline: HTMLElement, match: MatchRecord): void {
  const box = boxPercent(match.box, match.imageWidth, match.imageHeight);
  outline.style.left = `${box.left}%`;
  outline.style.top = `${box.top}%`;
  outline.style.width = `${box.width}%`;
  outline.style.height = `${box.height}%`;
}

export function openLightbox(match: MatchRecord, from: HTMLElement): void {
  const dialog = byId<HTMLDialogElement>('lightbox');
  const img = byId<HTMLImageElement>('lightbox-img');
  img.src = match.imageUrl;
  img.alt = `Full-size photo from post ${match.postId}, your face outlined`;
  // The frame takes the photo's shape, so the outline's percentages land on the face.
  const frame = byId('lightbox-frame');
  frame.style.aspectRatio = `${match.imageWidth} / ${match.imageHeight}`;
  frame.style.setProperty('--ratio', String(match.imageWidth / match.imageHeight));
  placeOutline(byId('lightbox-face'), match);
  byId('lightbox-caption').replaceChildren(`${similarity(match.distance)}% similar · `, externalLink(match.postUrl, 'View post'));
  opener = from;
  dialog.showModal();
  byId('lightbox-close').focus();
}

/** Wires the close button and gives focus back on every way of closing (button, Escape, a click beside the photo). */
export function wireLightbox(): void {
  const dialog = byId<HTMLDialogElement>('lightbox');
  byId('lightbox-close').addEventListener('click', () => dialog.close());
  dialog.addEventListener('click', (event) => {
    if (event.target === dialog) dialog.close();
  });
  dialog.addEventListener('close', () => {
    opener?.focus();
    opener = undefined;
  });
}
