/**
 * The built-in emulator in-process, on a fast clock, with the controller's own clients pointed at
 * it: what end-to-end tests of the reconciler run against. Time runs by itself (a simulated
 * minute in well under a second), so waits inside the controller pass as they would on AWS.
 */
import { afterAll, beforeAll, beforeEach } from "vitest";
import { type AwsClients, createAwsClients, destroyAwsClients } from "../../controller/aws/clients.ts";
import { type Emulator, ScaledClock, startEmulator } from "../../emulator/index.ts";

/** Simulated seconds per real second. */
export const FAST_CLOCK = 600;

export interface EmulatedAws {
  emulator: Emulator;
  /** The controller's clients. */
  clients: AwsClients;
  /** Someone else's: out-of-band changes a test makes, told apart from the controller's in the call log. */
  operator: AwsClients;
  close(): Promise<void>;
}

export async function startEmulatedAws(region = "us-east-1"): Promise<EmulatedAws> {
  const emulator = await startEmulator({ port: 0, clock: new ScaledClock(FAST_CLOCK) });
  const clients = createAwsClients({ region, endpoint: emulator.url, maxAttempts: 3 });
  const operator = createAwsClients({
    region,
    endpoint: emulator.url,
    maxAttempts: 1,
    accessKeyId: "operator",
  });
  return {
    emulator,
    clients,
    operator,
    async close() {
      for (const set of [clients, operator]) {
        destroyAwsClients(set);
      }
      await emulator.close();
    },
  };
}

/**
 * One emulator for a test file, reset before each test: registers its own vitest hooks. The object it
 * returns stands for the emulator once `beforeAll` has run (use it inside tests and hooks).
 */
export function useEmulatedAws(): EmulatedAws {
  let aws: EmulatedAws | undefined;
  beforeAll(async () => {
    aws = await startEmulatedAws();
  });
  afterAll(async () => {
    await aws?.close();
  });
  beforeEach(() => {
    aws?.emulator.reset();
  });
  const started = (): EmulatedAws => {
    if (!aws) throw new Error("the emulator is started in beforeAll: use it inside tests and hooks");
    return aws;
  };
  return {
    get emulator() {
      return started().emulator;
    },
    get clients() {
      return started().clients;
    },
    get operator() {
      return started().operator;
    },
    close: () => started().close(),
  };
}
