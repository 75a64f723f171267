/** DeleteService: its refusals, the drain DRAINING → INACTIVE, lingering ENIs, names reused. Needs EC2, ELBv2, Auto Scaling. */
import {
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { DescribeNetworkInterfacesCommand } from "@aws-sdk/client-ec2";
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  InvalidParameterException,
  ListServicesCommand,
  ServiceNotActiveException,
  ServiceNotFoundException,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import {
  advanceUntil,
  CLUSTER,
  createWebService,
  createWebStack,
  describeWeb,
  isSteady,
  MINUTE,
  SECOND,
  targetStates,
  tasksOf,
  useHarness,
  webService,
} from "./test-fixtures.ts";

const harness = useHarness();

const deleteWeb = (force?: boolean) =>
  harness.ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service: "web", force }));

const interfacesOf = async (taskArn: string | undefined) =>
  (
    await harness.clients.ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "requester-id", Values: [taskArn ?? ""] }] }),
    )
  ).NetworkInterfaces ?? [];

describe("DeleteService", () => {
  it("refuses a service scaled above 0 unless forced", async () => {
    const stack = await createWebStack(harness.clients);
    await createWebService(harness.ecs, stack);
    const call = deleteWeb();
    await expect(call).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(call).rejects.toThrow("The service cannot be stopped while it is scaled above 0.");
    expect((await describeWeb(harness.ecs)).status).toBe("ACTIVE");
  });

  it("drains: DRAINING (unlisted) while targets drain, INACTIVE once tasks stop; the ENIs go later", async () => {
    const stack = await createWebStack(harness.clients);
    await createWebService(harness.ecs, stack);
    await advanceUntil(harness, "a steady state", () => isSteady(harness.ecs));
    const tasks = await tasksOf(harness.ecs);

    const { service } = await deleteWeb(true);
    expect(service).toMatchObject({ status: "DRAINING", desiredCount: 0 });
    expect((await harness.ecs.send(new ListServicesCommand({ cluster: CLUSTER }))).serviceArns).toEqual([]);
    harness.emulator.advance(2 * SECOND);
    expect(Object.values(await targetStates(harness.clients, stack.targetGroupArn))).toEqual([
      "draining",
      "draining",
    ]);
    expect((await describeWeb(harness.ecs)).status).toBe("DRAINING");

    await advanceUntil(
      harness,
      "INACTIVE",
      async () => (await describeWeb(harness.ecs)).status === "INACTIVE",
      {
        stepMs: SECOND,
      },
    );
    expect(await targetStates(harness.clients, stack.targetGroupArn)).toEqual({});
    await advanceUntil(
      harness,
      "the tasks STOPPED",
      async () => (await tasksOf(harness.ecs, "STOPPED")).length === 2,
    );
    const stopped = await tasksOf(harness.ecs, "STOPPED");
    expect(stopped.map((task) => task.stoppedReason)).toEqual([
      expect.stringMatching(/^Scaling activity initiated by \(deployment ecs-svc\/\d+\)$/),
      expect.stringMatching(/^Scaling activity initiated by/),
    ]);
    // A stopped task's ENI lingers (its security group stays in use) before EC2 deletes it.
    expect(await interfacesOf(tasks[0]?.taskArn)).toHaveLength(1);
    harness.emulator.advance(2 * MINUTE);
    expect(await interfacesOf(tasks[0]?.taskArn)).toEqual([]);
    expect(await interfacesOf(tasks[1]?.taskArn)).toEqual([]);
  });

  it("says ServiceNotActiveException once the service is draining, ServiceNotFoundException when it never existed", async () => {
    const stack = await createWebStack(harness.clients);
    await createWebService(harness.ecs, stack, { desiredCount: 0 });
    await deleteWeb();
    await expect(deleteWeb()).rejects.toBeInstanceOf(ServiceNotActiveException);
    await expect(
      harness.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "web", desiredCount: 1 })),
    ).rejects.toBeInstanceOf(ServiceNotActiveException);
    await expect(
      harness.ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service: "nope" })),
    ).rejects.toBeInstanceOf(ServiceNotFoundException);
  });

  it("frees the name once the old service is INACTIVE, not while it drains", async () => {
    const stack = await createWebStack(harness.clients);
    await createWebService(harness.ecs, stack);
    await advanceUntil(harness, "a steady state", () => isSteady(harness.ecs));
    await deleteWeb(true);
    await expect(harness.ecs.send(new CreateServiceCommand(webService(stack)))).rejects.toThrow(
      "Creation of service was not idempotent.",
    );
    await advanceUntil(
      harness,
      "INACTIVE",
      async () => (await describeWeb(harness.ecs)).status === "INACTIVE",
    );
    const { service } = await harness.ecs.send(new CreateServiceCommand(webService(stack)));
    expect(service?.status).toBe("ACTIVE");
    await advanceUntil(harness, "the new service's steady state", () => isSteady(harness.ecs));
    expect(await tasksOf(harness.ecs)).toHaveLength(2);
  });

  it("removes the service's scalable target", async () => {
    const stack = await createWebStack(harness.clients);
    await createWebService(harness.ecs, stack);
    await harness.clients.autoscaling.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: "ecs",
        ResourceId: `service/${CLUSTER}/web`,
        ScalableDimension: "ecs:service:DesiredCount",
        MinCapacity: 1,
        MaxCapacity: 4,
      }),
    );
    await deleteWeb(true);
    const { ScalableTargets } = await harness.clients.autoscaling.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs" }),
    );
    expect(ScalableTargets).toEqual([]);
  });
});
