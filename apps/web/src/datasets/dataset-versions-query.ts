import type { DatasetVersionBody } from '@flywheel/spec';
import type { UseQueryResult } from '@tanstack/react-query';

/** A dataset's versions, newest first, as the dataset page loads them. */
export type VersionsQuery = UseQueryResult<DatasetVersionBody[], Error>;
