/**
 * For this folder's tests: a stand-in ECS behind the bridge, holding services with a desired count and a
 * CPU the test chooses, so autoscaling is tested on its own. Tasks "run" as soon as they are desired.
 */
import type { EcsServiceFacts } from "../ecs/internal.ts";
import { type EcsBridge, useEcsBridge } from "./ecs-bridge.ts";

interface FakeService {
  desiredCount: number;
  /** Average CPU in percent while tasks run; undefined: no datapoints. */
  cpu: number | undefined;
}

export class FakeEcs implements EcsBridge {
  readonly services = new Map<string, FakeService>();

  /** Adds `service/<cluster>/<service>` with a desired count and (optionally) a CPU. */
  add(resourceId: string, desiredCount: number, cpu?: number): void {
    this.services.set(resourceId, { desiredCount, cpu });
  }

  /** Sets the simulated workload's CPU, in percent. */
  setCpu(resourceId: string, cpu: number | undefined): void {
    this.#service(resourceId).cpu = cpu;
  }

  desiredCount(resourceId: string): number {
    return this.#service(resourceId).desiredCount;
  }

  findServiceByResourceId(_region: unknown, resourceId: string): EcsServiceFacts | undefined {
    const service = this.services.get(resourceId);
    if (!service) return undefined;
    const [, clusterName = "", serviceName = ""] = resourceId.split("/");
    const { desiredCount } = service;
    return { clusterName, serviceName, status: "ACTIVE", desiredCount, runningCount: desiredCount };
  }

  setDesiredCount(_region: unknown, resourceId: string, desiredCount: number): void {
    this.#service(resourceId).desiredCount = desiredCount;
  }

  averageCpuUtilization(_region: unknown, resourceId: string): number | undefined {
    const service = this.services.get(resourceId);
    return service && service.desiredCount > 0 ? service.cpu : undefined;
  }

  #service(resourceId: string): FakeService {
    const service = this.services.get(resourceId);
    if (!service) throw new Error(`no fake ECS service ${resourceId}`);
    return service;
  }
}

/** Puts a fresh FakeEcs behind the bridge; call the returned `restore` in afterAll. */
export function installFakeEcs(): { fake: FakeEcs; restore: () => void } {
  const fake = new FakeEcs();
  return { fake, restore: useEcsBridge(fake) };
}
