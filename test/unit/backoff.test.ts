import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_BACKOFF, retryDelayMs } from '../../lib/index.js';

const b = { baseMs: 100, factor: 2, maxMs: 1000, jitter: 0.5 };
const low = () => 0;
const high = () => 0.999999;

describe('retryDelayMs', () => {
  it('grows by factor per attempt without jitter', () => {
    const noJitter = { ...b, jitter: 0 };
    assert.deepEqual([1, 2, 3, 4].map((a) => retryDelayMs(noJitter, a, high)), [100, 200, 400, 800]);
  });

  it('caps the exponential part at maxMs before jitter', () => {
    assert.equal(retryDelayMs(b, 5, low), 1000);
    assert.equal(retryDelayMs(b, 30, low), 1000);
    assert.equal(retryDelayMs(b, 5, () => 0.5), 1250);
    assert.equal(retryDelayMs(b, 30, high), 1500);
  });

  it('jitter only adds, up to jitter × delay', () => {
    assert.equal(retryDelayMs(b, 1, low), 100);
    assert.equal(retryDelayMs(b, 1, () => 0.5), 125);
    assert.equal(retryDelayMs(b, 1, high), 150);
    assert.equal(retryDelayMs(b, 3, () => 0.5), 500);
  });

  it('the first retry never comes before baseMs, whatever the random draw', () => {
    for (const r of [0, 0.1, 0.5, 0.9, 0.999999]) assert.ok(retryDelayMs(DEFAULT_BACKOFF, 1, () => r) >= DEFAULT_BACKOFF.baseMs);
    assert.equal(retryDelayMs(DEFAULT_BACKOFF, 1, low), 1000);
  });

  it('with factor > 1 + jitter each uncapped delay is longer than the longest possible previous one', () => {
    for (let attempt = 1; attempt < 4; attempt++) {
      assert.ok(retryDelayMs(b, attempt + 1, low) > retryDelayMs(b, attempt, high), `attempt ${attempt}`);
    }
  });

  it('treats attempt 0 (or below) like attempt 1', () => {
    assert.equal(retryDelayMs({ ...b, jitter: 0 }, 0), 100);
    assert.equal(retryDelayMs({ ...b, jitter: 0 }, -3), 100);
  });

  it('documents its defaults', () => {
    assert.deepEqual(DEFAULT_BACKOFF, { baseMs: 1000, factor: 2, maxMs: 3_600_000, jitter: 0.2 });
  });
});
