/**
 * The built-in emulator in-process, on a fast clock, with the controller's own clients pointed at
 * it: what end-to-end tests of the reconciler run against. Time runs by itself (a simulated
 * minute in well under a second), so waits inside the controller pass as they would on AWS.
 */
import { type AwsClients, createAwsClients } from "../../controller/aws/clients.ts";
import { type Emulator, ScaledClock, startEmulator } from "../../emulator/index.ts";

/** Simulated seconds per real second. */
export const FAST_CLOCK = 600;

export interface EmulatedAws {
  emulator: Emulator;
  clients: AwsClients;
  close(): Promise<void>;
}

export async function startEmulatedAws(region = "us-east-1"): Promise<EmulatedAws> {
  const emulator = await startEmulator({ port: 0, clock: new ScaledClock(FAST_CLOCK) });
  const clients = createAwsClients({ region, endpoint: emulator.url, maxAttempts: 3 });
  return {
    emulator,
    clients,
    async close() {
      for (const client of Object.values(clients)) if (typeof client === "object") client.destroy();
      await emulator.close();
    },
  };
}
