/**
 * Where a task's process listens. awsvpc gives every task an ENI of its own, so two tasks can both
 * listen on port 3000; on Linux every 127.x.y.z is a loopback address bound without setup, so a task
 * whose ENI has a 127.x address (the emulator's loopback network mode) listens on exactly its ENI IP and
 * container port. Where that is impossible (not Linux, an ENI outside 127/8, or the same IP and port
 * held by a task of another region) the process listens on 127.0.0.1 and a free port instead, and the
 * book remembers the mapping so that health checks and the load balancer find it (`addressOf`).
 */
import { createServer } from "node:net";

export interface ListenAddress {
  host: string;
  port: number;
}

const key = (region: string, ip: string, port: number) => `${region} ${ip}:${port}`;

/** Whether a process on this machine can listen on `ip` itself. */
export function canListenOn(ip: string): boolean {
  return process.platform === "linux" && /^127\.\d+\.\d+\.\d+$/.test(ip);
}

/** A port on 127.0.0.1 that nothing listens on right now. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export class AddressBook {
  /** `{region} {ip}:{port}` of every live task → where its process listens. */
  readonly #addresses = new Map<string, ListenAddress>();

  /** Reserves where a task's container port is served; a remapped port is found asynchronously. */
  async reserve(region: string, ip: string, port: number): Promise<ListenAddress> {
    const taken = [...this.#addresses.values()].some(
      (address) => address.host === ip && address.port === port,
    );
    const address =
      canListenOn(ip) && !taken ? { host: ip, port } : { host: "127.0.0.1", port: await freeLoopbackPort() };
    this.#addresses.set(key(region, ip, port), address);
    return address;
  }

  release(region: string, ip: string, port: number): void {
    this.#addresses.delete(key(region, ip, port));
  }

  /** Where traffic for a task's `ip:port` goes: its process's address, or `ip:port` itself when not remapped. */
  addressOf(region: string, ip: string, port: number): ListenAddress {
    return this.#addresses.get(key(region, ip, port)) ?? { host: ip, port };
  }
}
