/**
 * A request for runners to stop, as the Django runner's stop task was. Every runner that
 * started before the row was written stops claiming, lets running handlers finish, and
 * stops; runners started later ignore it, so an old row never blocks future runs.
 */
export class AsyncStop {
  id!: number;
  /** `all`, `queue:<name>` or `worker:<id>`. */
  scope!: string;
  reason?: string | null;
  createdAt!: Date;
}
