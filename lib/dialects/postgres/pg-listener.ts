import { Logger } from '@nestjs/common';
import type { PgClient, SqlExecutor } from '../sql-executor.js';

/**
 * One LISTEN connection per process. A notification carries the queue that got a task; a
 * lost connection is opened again with capped exponential backoff, and every (re)connect
 * calls `onNotify(null)` because notifications sent while it was down are gone.
 */
export class PgListener {
  private readonly logger = new Logger('AsyncRunner');
  private client: PgClient | null = null;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;

  constructor(
    private readonly exec: SqlExecutor,
    private readonly channel: string,
    private readonly onNotify: (queue: string | null) => void,
  ) {}

  /** Connects in the background; resolves after the first attempt, whatever its result. */
  async open(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    let client: PgClient | null = null;
    try {
      client = await this.exec.dedicatedPgClient();
      client.on('error', (error) => this.lost(client!, error));
      client.on('end', () => this.lost(client!));
      client.on('notification', (msg) => {
        if (msg.channel === this.channel) this.onNotify(msg.payload ?? null);
      });
      await client.connect();
      // The channel is the task table's name, validated as an identifier at startup.
      await client.query(`LISTEN "${this.channel}"`);
      if (this.closed) {
        await this.end(client);
        return;
      }
      this.client = client;
      if (this.failures > 0) this.logger.log(`LISTEN connection for "${this.channel}" re-established.`);
      this.failures = 0;
      this.onNotify(null);
    } catch (error) {
      if (client) void this.end(client);
      this.retry(error);
    }
  }

  private lost(client: PgClient, error?: Error): void {
    if (this.client !== client) return;
    this.client = null;
    void this.end(client);
    this.retry(error ?? new Error('connection ended'));
  }

  private retry(error: unknown): void {
    if (this.closed) return;
    const delay = Math.min(30_000, 100 * 2 ** Math.min(this.failures++, 9));
    this.logger.warn(`LISTEN connection for "${this.channel}" failed (${String(error)}); reconnecting in ${delay} ms (polling meanwhile).`);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private async end(client: PgClient): Promise<void> {
    client.removeAllListeners();
    client.on('error', () => {}); // a late socket error must not become an uncaught 'error' event
    try {
      await client.end();
    } catch {
      // already closed
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    if (client) await this.end(client);
  }
}
