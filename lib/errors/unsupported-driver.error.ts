import { AsyncRunnerError } from './async-runner.error.js';

/** Thrown at startup when the host's MikroORM driver is not one the runner has SQL for. */
export class UnsupportedDriverError extends AsyncRunnerError {
  constructor(readonly driver: string) {
    super(
      `nest-async-runner does not support the MikroORM driver "${driver}". ` +
        'Supported: @mikro-orm/sqlite (SqliteDriver), @mikro-orm/postgresql (PostgreSqlDriver), ' +
        '@mikro-orm/mysql (MySqlDriver), @mikro-orm/mariadb (MariaDbDriver).',
    );
  }
}
