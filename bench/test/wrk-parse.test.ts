import { expect, it } from 'vitest';
import { parseWrk } from '../wrk.ts';

// The layout of `wrk --latency` (wrk 4.1, Debian), with values chosen so that microseconds, milliseconds and seconds
// all occur; the real output is parsed by the sut-throughput smoke test.
const output = `Running 1s test @ http://127.0.0.1:41235/api/products?page=1
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   812.34us  200.12us   1.01s    90.00%
    Req/Sec    19.50k     1.20k   21.00k    80.00%
  Latency Distribution
     50%  780.00us
     75%    0.90ms
     90%    1.02ms
     99%    1.20s
  19400 requests in 1.00s, 3.10MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 3
Requests/sec:  19380.12
Transfer/sec:      3.10MB
`;

it('reads the rate, p50 and p99 in milliseconds, and counts non-2xx answers and socket errors', () => {
  expect(parseWrk(output, 16, 1)).toEqual({
    connections: 16,
    durationS: 1,
    rps: 19380.12,
    p50Ms: 0.78,
    p99Ms: 1200,
    errors: 6,
  });
});

it('gives nulls, not zeros, for what wrk did not print', () => {
  expect(parseWrk('unable to connect to 127.0.0.1:1 Connection refused\n', 16, 1)).toEqual({
    connections: 16,
    durationS: 1,
    rps: null,
    p50Ms: null,
    p99Ms: null,
    errors: 0,
  });
});
