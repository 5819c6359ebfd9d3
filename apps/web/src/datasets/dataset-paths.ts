/**
 * The URLs of the Datasets page. A dataset's name holds `/` (folders), kept as path separators:
 * `/datasets/support/golden`; an item is `/datasets/support/golden/items/<id>`, unambiguous
 * because no segment of a dataset name may be `items`.
 */
export function datasetUrl(name: string): string {
  return `/datasets/${name.split('/').map(encodeURIComponent).join('/')}`;
}

export function datasetItemUrl(name: string, itemId: string): string {
  return `${datasetUrl(name)}/items/${encodeURIComponent(itemId)}`;
}

export function datasetImportUrl(name: string): string {
  return `${datasetUrl(name)}?view=import`;
}

/** What the part of a URL below `/datasets/` names: a dataset, or one of its items. */
export function parseDatasetPath(splat: string): { name: string; itemId: string | undefined } {
  const segments = splat.split('/').filter((segment) => segment !== '');
  const items = segments.indexOf('items');
  if (items > 0 && items === segments.length - 2) {
    return { name: segments.slice(0, items).join('/'), itemId: segments[items + 1] };
  }
  return { name: segments.join('/'), itemId: undefined };
}
