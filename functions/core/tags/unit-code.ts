/**
 * The code an owner pastes to show an ad unit, one per kind of place (README "Ad tags"):
 * - `javascript` for web and H5 pages: the unit's div and the tag script (load it once per page
 *   even with several units; one request then serves them all);
 * - `image` for posts and newsletters (no JavaScript): a linked image whose `{key}` the owner
 *   replaces with the sender's per-recipient merge tag, or a per-send id.
 */

export interface UnitCode {
  javascript: string;
  image: string;
}

/** Where the owner puts the sender's per-recipient merge tag in the image code. */
export const IMAGE_KEY_PLACEHOLDER = '{key}';

export function unitCode(unit: { id: string; width: number; height: number }, baseUrl: string, tagVersion: string): UnitCode {
  const key = IMAGE_KEY_PLACEHOLDER;
  return {
    javascript: `<div data-placard-unit="${unit.id}"></div>\n<script async src="${baseUrl}/tag.js?v=${tagVersion}"></script>`,
    image:
      `<div style="font:11px sans-serif;color:#888">Ad</div>\n` +
      `<a href="${baseUrl}/e/c/${unit.id}/${key}" target="_blank" rel="sponsored noopener">` +
      `<img src="${baseUrl}/e/i/${unit.id}/${key}" width="${unit.width}" height="${unit.height}" alt="Advertisement" style="display:block;border:0"></a>`,
  };
}
