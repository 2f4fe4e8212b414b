import { HttpError } from '@observastack/sut-common/errors.ts';
import type { JobView, ReleasesView } from '../protocol/actions.ts';
import type { ShopActions } from './shop-actions.ts';

const why =
  'stack mode: the orchestrator does not drive the container engine, so releases, restarts and jobs are done with it (e.g. `docker compose restart api`)';

const refuse = (): never => {
  throw new HttpError(`not available in ${why}`, { code: 'not_available', status: 501 });
};

/** Stack mode's actions: every one refused with the reason, and a scenario that needs one is refused to start. */
export class UnavailableShopActions implements ShopActions {
  unavailable(): string {
    return `not available in ${why}`;
  }
  releases(): ReleasesView {
    return refuse();
  }
  rollout(): never {
    return refuse();
  }
  restart(): never {
    return refuse();
  }
  jobs(): JobView[] {
    return [];
  }
  startJob(): never {
    return refuse();
  }
  stopJob(): never {
    return refuse();
  }
  async stopJobs(): Promise<void> {}
  async restoreReleases(): Promise<string[]> {
    return [];
  }
}
