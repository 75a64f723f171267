/** `ecs-converge emulator` as a user runs it: a child process that serves the SDK and stops cleanly on SIGTERM. */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { DescribeSubnetsCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterEach, describe, expect, it } from "vitest";
import { startEmulatorProcess } from "./support/emulator-process.ts";
import { waitFor } from "./support/wait-for.ts";

const cli = fileURLToPath(new URL("../controller/cli/main.ts", import.meta.url));
let child: ChildProcess | undefined;

afterEach(() => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
});

describe("ecs-converge emulator", () => {
  it("prints the environment to use, serves the SDK, and exits 0 on SIGTERM", async () => {
    const emulator = await startEmulatorProcess(["--port", "0", "--speed", "120", "--seed", "5"]);
    const running = emulator.process;
    child = running;
    const endpoint = emulator.url;
    const output = emulator.output();
    expect(output).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+ \(clock ×120, seed 5\)/);
    expect(output).toMatch(/export AWS_REGION=us-east-1/);

    const logs = new CloudWatchLogsClient({
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "emulator", secretAccessKey: "emulator" },
    });
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/demo" }));
    const { logGroups } = await logs.send(new DescribeLogGroupsCommand({}));
    expect(logGroups?.map((group) => group.logGroupName)).toEqual(["/demo"]);

    const exited = new Promise<number | null>((resolve) => running.once("exit", resolve));
    running.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("serves an active load balancer's listener on loopback and says where", async () => {
    const emulator = await startEmulatorProcess(["--port", "0", "--listener-ports", "80=0"]);
    const running = emulator.process;
    child = running;
    const endpoint = emulator.url;
    const config = {
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "emulator", secretAccessKey: "emulator" },
    };
    const { Subnets = [] } = await new EC2Client(config).send(new DescribeSubnetsCommand({}));
    const elbv2 = new ElasticLoadBalancingV2Client(config);
    const { LoadBalancers } = await elbv2.send(
      new CreateLoadBalancerCommand({
        Name: "web",
        Subnets: Subnets.slice(0, 2).map((subnet) => subnet.SubnetId ?? ""),
      }),
    );
    await elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: LoadBalancers?.[0]?.LoadBalancerArn,
        Protocol: "HTTP",
        Port: 80,
        DefaultActions: [
          { Type: "fixed-response", FixedResponseConfig: { StatusCode: "200", MessageBody: "hello" } },
        ],
      }),
    );
    await fetch(`${endpoint}/_emulator/elbv2/load-balancers/web/activate`, { method: "POST" });

    const url = await waitFor(
      "the listener line",
      () =>
        emulator
          .output()
          .match(
            /load balancer listener serving: web :80 \(web-[\w.-]+\) at (http:\/\/127\.0\.0\.1:\d+\/)/,
          )?.[1],
    );
    expect(await (await fetch(url)).text()).toBe("hello");
    const { listeners } = (await (await fetch(`${endpoint}/_emulator/elbv2/listeners`)).json()) as {
      listeners: Array<{ url: string }>;
    };
    expect(listeners.map((listener) => listener.url)).toEqual([url]);

    const exited = new Promise<number | null>((resolve) => running.once("exit", resolve));
    running.kill("SIGTERM");
    expect(await exited).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
  });

  it("refuses a bad --listener-ports with one line and exit 1", async () => {
    const running = spawn(process.execPath, [cli, "emulator", "--port", "0", "--listener-ports", "80:8080"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = running;
    let errors = "";
    running.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      errors += chunk;
    });
    const code = await new Promise<number | null>((resolve) => running.once("exit", resolve));
    expect(code).toBe(1);
    expect(errors.trim()).toBe(
      "error: --listener-ports 80:8080: expected listener=local pairs such as 80=8080 (local 0: any free port)",
    );
  });

  it("refuses a bad port with one line and exit 1", async () => {
    const running = spawn(process.execPath, [cli, "emulator", "--port", "http"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = running;
    let errors = "";
    running.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      errors += chunk;
    });
    const code = await new Promise<number | null>((resolve) => running.once("exit", resolve));
    expect(code).toBe(1);
    expect(errors.trim()).toBe("error: --port http: expected a port number (0 picks a free one)");
  });
});
