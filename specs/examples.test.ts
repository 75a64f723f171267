import { readdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadSpecFile } from "./load.ts";

const examplesDirectory = fileURLToPath(new URL("./examples/", import.meta.url));
const repositorySpec = fileURLToPath(new URL("../service.yaml", import.meta.url));
const exampleFiles = (await readdir(examplesDirectory)).filter((name) => name.endsWith(".yaml"));

describe("shipped specs", () => {
  it("include the minimal, full and private-subnet examples", () => {
    expect(exampleFiles).toEqual(
      expect.arrayContaining(["minimal.yaml", "full.yaml", "private-subnets.yaml"]),
    );
  });

  it.each([...exampleFiles.map((name) => `${examplesDirectory}${name}`), repositorySpec])(
    "%s validates without warnings",
    async (file) => {
      const loaded = await loadSpecFile(file);
      expect(loaded.warnings).toEqual([]);
    },
  );

  it("the full example sets every optional section", async () => {
    const { spec } = await loadSpecFile(`${examplesDirectory}full.yaml`);
    expect(spec.spec.autoscaling).toBeDefined();
    expect(Object.keys(spec.spec.task.container.secrets).length).toBeGreaterThan(0);
    expect(spec.spec.task.taskRoleArn).toBeDefined();
  });

  it("the private-subnet example keeps tasks off the internet", async () => {
    const { spec } = await loadSpecFile(`${examplesDirectory}private-subnets.yaml`);
    expect(spec.spec.network.assignPublicIp).toBe(false);
    expect(spec.spec.network.taskSubnets).not.toEqual(spec.spec.network.loadBalancerSubnets);
  });
});
