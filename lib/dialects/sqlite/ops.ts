import type { SharedOps } from '../shared-ops-dialect.js';
import { cancelTask } from './cancel.js';
import { claimTasks } from './claim.js';
import { deleteFinished } from './delete-finished.js';
import { finishTasks } from './finish.js';
import { setProgress } from './progress.js';
import { getRow, pendingAmong } from './read-tasks.js';
import { reclaimExpired } from './reclaim-expired.js';
import { releaseTasks } from './release.js';
import { renewLeases } from './renew.js';
import { retryTask } from './retry.js';
import { findStop, insertStop, latestStopId } from './stops.js';

/** This database's operation files, gathered for {@link SharedOpsDialect}. */
export const sqliteOps: SharedOps = {
  claimTasks,
  finishTasks,
  renewLeases,
  releaseTasks,
  reclaimExpired,
  setProgress,
  latestStopId,
  insertStop,
  findStop,
  pendingAmong,
  getRow,
  cancelTask,
  retryTask,
  deleteFinished,
};
