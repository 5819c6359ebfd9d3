import type { InstanceStore } from '@flywheel/core';
import type { StorageContext } from './storage-context.js';

/** The Kysely instance store. */
export function createInstanceStore({ db, run }: StorageContext): InstanceStore {
  return {
    async claimBootstrap(at) {
      const result = await run(() =>
        db
          .insertInto('instance_meta')
          .values({ key: 'bootstrapped_at', value: at })
          .onConflict((conflict) => conflict.column('key').doNothing())
          .executeTakeFirst(),
      );
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    },
  };
}
