/**
 * Whether a photo a search found may be downloaded: the same check compare_images makes (FINDME_IMAGE_HOSTS and
 * the source's own media hosts), made at search time so a photo elsewhere is recorded as failed, never fetched.
 */
import { PhotoError } from '../face/errors';
import { checkImageUrl } from '../face/host-policy';
import { reasonForPeople } from '../face/reasons';
import type { PhotoRef } from '../types';

/** A photo that will not be fetched. */
export interface RefusedPhoto {
  photo: PhotoRef;
  /** For the job (the page and the exports show it): in plain words, as compare_images records the same refusal. */
  reason: string;
  /** For the activation log only: the URL, its host and the hosts allowed, naming FINDME_IMAGE_HOSTS. */
  detail: string;
}

/** Why the photo may not be fetched, or undefined when it may. */
export function checkPhotoHost(imageUrl: string, hosts: readonly string[]): Omit<RefusedPhoto, 'photo'> | undefined {
  try {
    checkImageUrl(imageUrl, hosts);
    return undefined;
  } catch (error) {
    if (!(error instanceof PhotoError)) throw error;
    return { reason: reasonForPeople(error), detail: error.message };
  }
}

/** A page's photos split into those that may be fetched and those refused, with why. */
export function byHost(found: PhotoRef[], hosts: readonly string[]): { photos: PhotoRef[]; refused: RefusedPhoto[] } {
  const photos: PhotoRef[] = [];
  const refused: RefusedPhoto[] = [];
  for (const photo of found) {
    const why = checkPhotoHost(photo.imageUrl, hosts);
    if (why) refused.push({ photo, ...why });
    else photos.push(photo);
  }
  return { photos, refused };
}
