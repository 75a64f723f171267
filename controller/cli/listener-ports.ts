/** `--listener-ports 80=8080,8081=0`: where the built-in emulator serves its load balancers' listeners. */
import type { ServedListener } from "../../emulator/index.ts";
import { CliError } from "./cli-error.ts";

/** Listener port → local port (0: a free one), as EmulatorOptions.listenerPorts takes it. */
export function parseListenerPorts(text: string): Record<number, number> {
  const ports: Record<number, number> = {};
  for (const pair of text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^(\d{1,5})=(\d{1,5})$/.exec(pair);
    const listener = Number(match?.[1]);
    const local = Number(match?.[2]);
    if (!match || listener < 1 || listener > 65_535 || local > 65_535)
      throw new CliError(
        `--listener-ports ${text}: expected listener=local pairs such as 80=8080 (local 0: any free port)`,
      );
    ports[listener] = local;
  }
  return ports;
}

/** One line saying where a load balancer's listener is (or stopped being) served. */
export const describeServedListener = (message: string, listener: ServedListener) =>
  `${message}: ${listener.loadBalancer} :${listener.port} (${listener.dnsName})${listener.url ? ` at ${listener.url}` : ""}`;
