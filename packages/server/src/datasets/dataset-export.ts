import { Readable } from 'node:stream';
import type { DatasetService } from '@flywheel/core';
import type { FastifyReply } from 'fastify';
import { toDatasetExportLine } from './dataset-views.js';

const exportPage = 500;

/**
 * Streams a dataset's items at `version` (default: current) as JSON Lines, a page at a time, so
 * an export of any size holds one page in memory. Every page reads the same version, so writes
 * during the export do not change it. `x-flywheel-item-count` says how many lines follow, so a
 * client can tell a complete export from a cut one.
 */
export async function sendDatasetExport(
  reply: FastifyReply,
  datasets: DatasetService,
  projectId: string,
  name: string,
  version: number | undefined,
) {
  // The first page is read before answering: an unknown dataset or version is still a clean 404.
  const first = await datasets.listItems(projectId, name, {
    limit: exportPage,
    ...(version === undefined ? {} : { version }),
  });
  const at = first.version;
  const itemCount =
    at === first.dataset.version
      ? first.dataset.itemCount
      : at === 0
        ? 0
        : ((await datasets.versions(projectId, name)).find((entry) => entry.version === at)?.itemCount ?? 0);

  async function* lines() {
    let page = first.items;
    for (;;) {
      if (page.length > 0)
        yield page.map((item) => `${JSON.stringify(toDatasetExportLine(item))}\n`).join('');
      if (page.length < exportPage) return;
      page = (
        await datasets.listItems(projectId, name, {
          version: at,
          limit: exportPage,
          afterSeq: page.at(-1)!.seq,
        })
      ).items;
    }
  }

  const fileName = `${name.replaceAll('/', '-')}-v${at}.jsonl`;
  return reply
    .header('content-type', 'application/x-ndjson; charset=utf-8')
    .header('content-disposition', `attachment; filename="${fileName}"`)
    .header('x-flywheel-dataset-version', String(at))
    .header('x-flywheel-item-count', String(itemCount))
    .send(Readable.from(lines()));
}
