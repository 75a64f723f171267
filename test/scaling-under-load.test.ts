/**
 * Real load scales the service, as target tracking does on AWS: the sample app's tasks run as processes,
 * `npm run load`'s generator drives /burn through the load balancer, the CPU measured from the processes
 * pushes the desired count above the minimum (never past the maximum), and once the load stops the
 * service scales back in to its minimum. Bounded in time and connections; loopback only.
 */
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runLoad } from "../bench/load.ts";
import { SampleService } from "./support/sample-service.ts";
import { waitFor } from "./support/wait-for.ts";

/** `npm start`'s clock: target tracking's minutes pass in seconds. */
const SPEED = 60;
const LOAD_MS = 20_000;
const CONNECTIONS = 16;

let service: SampleService;
beforeAll(async () => {
  service = await SampleService.start(SPEED);
});
afterAll(async () => {
  await service?.close();
});

describe("scaling under real load", () => {
  it("scales out within [min, max] while the load lasts, and back in to the minimum after it", {
    timeout: 180_000,
  }, async () => {
    await service.apply({});
    await service.stableWith(2);
    const { minTasks, maxTasks } = service.edit({}).spec.autoscaling ?? { minTasks: 2, maxTasks: 6 };
    const url = new URL("/burn?ms=20", service.url()).toString();
    const counts: number[] = [];
    let loading = true;
    const watch = (async () => {
      while (loading) {
        counts.push((await service.ecsService())?.desiredCount ?? 0);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    const silent = Object.assign(new Writable({ write: (_chunk, _encoding, done) => done() }), {
      isTTY: false,
    });

    const load = await runLoad({ url, durationMs: LOAD_MS, connections: CONNECTIONS, out: silent });
    loading = false;
    await watch;

    expect(load.requests).toBeGreaterThan(0);
    expect(load.errors).toBe(0);
    expect(Math.max(...counts)).toBeGreaterThan(minTasks);
    expect(Math.max(...counts)).toBeLessThanOrEqual(maxTasks);
    await waitFor(
      "the service back at its minimum once the load is gone",
      async () => ((await service.ecsService())?.desiredCount === minTasks ? true : undefined),
      120_000,
    );
  });
});
