/** For this folder's tests: one emulator per test file, reset before each test, and EC2 helpers. */
import { CreateSecurityGroupCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { afterAll, beforeEach, expect } from "vitest";
import { DEFAULT_REGION } from "../../identity.ts";
import type { Emulator } from "../../server.ts";
import { startTestEmulator } from "../../test-clients.ts";
import type { Ec2State } from "./state.ts";

export interface Ec2Harness {
  readonly emulator: Emulator;
  readonly ec2: EC2Client;
  /** The emulator's EC2 state of a region (us-east-1 unless named). */
  state(region?: string): Ec2State;
  /** Creates a group in the default VPC and returns its id. */
  createGroup(groupName: string, vpcId?: string): Promise<string>;
}

/** Registers the hooks and returns the harness; call at the top of a test file. */
export function useEc2Harness(): Ec2Harness {
  let emulator: Emulator | undefined;
  let ec2: EC2Client | undefined;
  beforeEach(async () => {
    if (!emulator)
      ({
        emulator,
        clients: { ec2 },
      } = await startTestEmulator());
    emulator.reset();
  });
  afterAll(async () => {
    await emulator?.close();
  });
  const harness: Ec2Harness = {
    get emulator() {
      if (!emulator) throw new Error("the emulator starts in beforeEach");
      return emulator;
    },
    get ec2() {
      if (!ec2) throw new Error("the emulator starts in beforeEach");
      return ec2;
    },
    state: (region = DEFAULT_REGION) => harness.emulator.world.region(region).ec2,
    async createGroup(groupName, vpcId) {
      const { GroupId } = await harness.ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: groupName,
          Description: `${groupName} group`,
          VpcId: vpcId,
        }),
      );
      if (!GroupId) throw new Error("CreateSecurityGroup returned no GroupId");
      return GroupId;
    },
  };
  return harness;
}

/** Asserts that `call` fails with the EC2 error `code` (the SDK's `error.name`). */
export async function expectEc2Error(call: Promise<unknown>, code: string): Promise<void> {
  await expect(call).rejects.toMatchObject({ name: code });
}
