import {
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  FilterLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeVpcsCommand,
} from "@aws-sdk/client-ec2";
import { RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { CreateTargetGroupCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Emulator } from "./server.ts";
import { startTestEmulator, type TestClients } from "./test-clients.ts";

let emulator: Emulator;
let clients: TestClients;
beforeAll(async () => {
  ({ emulator, clients } = await startTestEmulator());
});
afterAll(async () => {
  for (const client of Object.values(clients)) client.destroy();
  await emulator.close();
});
beforeEach(() => emulator.reset());

const last = () => emulator.calls.calls().at(-1);

describe("the call log names what each call acted on", () => {
  it("a create: the request's tags and the new resource's ARN, marked created, with no tags before", async () => {
    const { GroupId } = await clients.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: "web-alb",
        Description: "x",
        TagSpecifications: [{ ResourceType: "security-group", Tags: [{ Key: "owner", Value: "me" }] }],
      }),
    );
    expect(last()).toMatchObject({
      action: "ec2:CreateSecurityGroup",
      requestTags: { owner: "me" },
      resources: [
        { arn: expect.stringMatching(/^arn:aws:ec2:us-east-1:000000000000:vpc\/vpc-/), tags: {} },
        { arn: `arn:aws:ec2:us-east-1:000000000000:security-group/${GroupId}`, tags: {}, created: true },
      ],
    });
  });

  it("a delete: the resource's tags as they were when the call arrived", async () => {
    const { GroupId } = await clients.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: "web-tasks",
        Description: "x",
        TagSpecifications: [{ ResourceType: "security-group", Tags: [{ Key: "owner", Value: "me" }] }],
      }),
    );
    await clients.ec2.send(new DeleteSecurityGroupCommand({ GroupId }));
    expect(last()).toMatchObject({
      action: "ec2:DeleteSecurityGroup",
      resources: [
        { arn: `arn:aws:ec2:us-east-1:000000000000:security-group/${GroupId}`, tags: { owner: "me" } },
      ],
    });
    expect(last()?.resources?.[0]?.created).toBeUndefined();
  });

  it("an ELBv2 create: the ARN with the id AWS picked", async () => {
    const { Vpcs = [] } = await clients.ec2.send(new DescribeVpcsCommand({}));
    const { TargetGroups = [] } = await clients.elbv2.send(
      new CreateTargetGroupCommand({
        Name: "web-1",
        Protocol: "HTTP",
        Port: 80,
        VpcId: Vpcs[0]?.VpcId,
        TargetType: "ip",
        Tags: [{ Key: "owner", Value: "me" }],
      }),
    );
    expect(last()).toMatchObject({
      requestTags: { owner: "me" },
      resources: [{ arn: TargetGroups[0]?.TargetGroupArn, tags: {}, created: true }],
    });
  });

  it("a task definition: the roles it passes", async () => {
    await clients.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "web",
        executionRoleArn: "arn:aws:iam::000000000000:role/exec",
        taskRoleArn: "arn:aws:iam::000000000000:role/app",
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: "256",
        memory: "512",
        containerDefinitions: [{ name: "app", image: "nginx" }],
      }),
    );
    expect(last()).toMatchObject({
      action: "ecs:RegisterTaskDefinition",
      passedRoles: ["arn:aws:iam::000000000000:role/app", "arn:aws:iam::000000000000:role/exec"],
      resources: [{ arn: "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1", created: true }],
    });
  });

  it("log groups by name, for reads of their events too; Describe calls name nothing", async () => {
    await clients.logs.send(new CreateLogGroupCommand({ logGroupName: "/ecs/web", tags: { owner: "me" } }));
    await clients.logs.send(new FilterLogEventsCommand({ logGroupName: "/ecs/web" }));
    expect(last()).toMatchObject({
      action: "logs:FilterLogEvents",
      resources: [{ arn: "arn:aws:logs:us-east-1:000000000000:log-group:/ecs/web", tags: { owner: "me" } }],
    });
    await clients.logs.send(new DeleteLogGroupCommand({ logGroupName: "/ecs/web" }));
    expect(last()?.resources).toEqual([
      { arn: "arn:aws:logs:us-east-1:000000000000:log-group:/ecs/web", tags: { owner: "me" } },
    ]);
  });
});
