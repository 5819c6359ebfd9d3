import type { Migration } from 'kysely';
import * as m0001 from './0001-projects-and-api-keys.js';
import * as m0002 from './0002-traces-and-spans.js';
import * as m0003 from './0003-provider-credentials.js';
import * as m0004 from './0004-trace-queries.js';
import * as m0005 from './0005-prompts.js';
import * as m0006 from './0006-datasets.js';
import * as m0007 from './0007-experiments.js';
import * as m0008 from './0008-search-string-values.js';
import * as m0009 from './0009-gateway-log.js';
import * as m0010 from './0010-ingest-log-position.js';
import * as m0011 from './0011-gateway-log-position.js';

/**
 * Every migration, by number. Listed statically (not read from a folder) so the built package
 * runs them without touching the file system. A number is never reused or edited once landed.
 */
export const migrations: Record<string, Migration> = {
  '0001-projects-and-api-keys': m0001,
  '0002-traces-and-spans': m0002,
  '0003-provider-credentials': m0003,
  '0004-trace-queries': m0004,
  '0005-prompts': m0005,
  '0006-datasets': m0006,
  '0007-experiments': m0007,
  '0008-search-string-values': m0008,
  '0009-gateway-log': m0009,
  '0010-ingest-log-position': m0010,
  '0011-gateway-log-position': m0011,
};
