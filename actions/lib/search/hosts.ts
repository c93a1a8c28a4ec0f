/**
 * Whether a photo a search found may be downloaded: the same check compare_images makes (FINDME_IMAGE_HOSTS and
 * the source's own media hosts), made at search time so a photo elsewhere is recorded as failed, never fetched.
 */
import { checkImageUrl } from '../face/host-policy';
import type { PhotoRef } from '../types';

/** Why the photo may not be fetched, or undefined when it may. */
export function checkPhotoHost(imageUrl: string, hosts: readonly string[]): string | undefined {
  try {
    checkImageUrl(imageUrl, hosts);
    return undefined;
  } catch (error) {
    return `not checked: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** A page's photos split into those that may be fetched and those refused, with why. */
export function byHost(found: PhotoRef[], hosts: readonly string[]): { photos: PhotoRef[]; refused: Array<{ photo: PhotoRef; reason: string }> } {
  const photos: PhotoRef[] = [];
  const refused: Array<{ photo: PhotoRef; reason: string }> = [];
  for (const photo of found) {
    const reason = checkPhotoHost(photo.imageUrl, hosts);
    if (reason) refused.push({ photo, reason });
    else photos.push(photo);
  }
  return { photos, refused };
}
