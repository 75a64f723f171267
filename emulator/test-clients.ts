/** For tests: an emulator on a free port with a manual clock, and real SDK v3 clients pointed at it. */
import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { ManualClock } from "./clock.ts";
import { DEFAULT_REGION } from "./identity.ts";
import { type Emulator, type EmulatorOptions, startEmulator } from "./server.ts";

export interface TestClients {
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
  ecs: ECSClient;
  autoscaling: ApplicationAutoScalingClient;
  logs: CloudWatchLogsClient;
  dynamodb: DynamoDBClient;
}

/** SDK clients for `emulator` in `region`; `maxAttempts` 1 unless a test wants the SDK's retries. */
export function clientsFor(emulator: Emulator, region = DEFAULT_REGION, maxAttempts = 1): TestClients {
  const config = {
    endpoint: emulator.url,
    region,
    maxAttempts,
    credentials: { accessKeyId: "AKIDEMULATOR", secretAccessKey: "emulator-secret" },
  };
  return {
    ec2: new EC2Client(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    ecs: new ECSClient(config),
    autoscaling: new ApplicationAutoScalingClient(config),
    logs: new CloudWatchLogsClient(config),
    dynamodb: new DynamoDBClient(config),
  };
}

/** Starts an emulator on a free loopback port with a manual clock. Close it in afterAll/afterEach. */
export async function startTestEmulator(
  options: EmulatorOptions = {},
): Promise<{ emulator: Emulator; clients: TestClients }> {
  const emulator = await startEmulator({ port: 0, clock: new ManualClock(), ...options });
  return { emulator, clients: clientsFor(emulator) };
}
