/**
 * EC2's routes in the control API (under /_emulator/): `POST /ec2/vpcs` adds a non-default VPC with
 * subnets, the network a user brings (the API offers no CreateVpc: the controller never creates one).
 */
import { ControlError, type ControlRoute } from "../../control.ts";
import { DEFAULT_REGION } from "../../identity.ts";
import type { World } from "../../world.ts";
import { type CreatedVpc, createVpc, type NewVpc } from "./vpcs.ts";

/** Adds a VPC with its subnets and `default` security group to `region`: the in-process `POST /ec2/vpcs`. */
export function addVpc(world: World, region: string, spec: NewVpc): CreatedVpc {
  return createVpc(world.region(region).ec2, { ...spec, isDefault: false }, world.random);
}

function readVpcRequest(body: unknown): { region: string; spec: NewVpc } {
  const request = (body ?? {}) as Record<string, unknown>;
  const region = request.region ?? DEFAULT_REGION;
  if (typeof region !== "string") throw new ControlError(400, 'body field "region" must be a string');
  if (typeof request.cidrBlock !== "string")
    throw new ControlError(400, 'body field "cidrBlock" must be a string like "10.0.0.0/16"');
  const subnets = request.subnets ?? [];
  if (!Array.isArray(subnets)) throw new ControlError(400, 'body field "subnets" must be a list');
  return {
    region,
    spec: {
      cidrBlock: request.cidrBlock,
      subnets: subnets.map((subnet: Record<string, unknown> | null, index) => {
        const { availabilityZone, cidrBlock, mapPublicIpOnLaunch } = subnet ?? {};
        if (
          typeof availabilityZone !== "string" ||
          typeof cidrBlock !== "string" ||
          (mapPublicIpOnLaunch !== undefined && typeof mapPublicIpOnLaunch !== "boolean")
        ) {
          throw new ControlError(
            400,
            `subnets[${index}] needs "availabilityZone" and "cidrBlock" strings (and an optional boolean "mapPublicIpOnLaunch")`,
          );
        }
        return {
          availabilityZone,
          cidrBlock,
          ...(mapPublicIpOnLaunch === undefined ? {} : { mapPublicIpOnLaunch }),
        };
      }),
    },
  };
}

export function ec2ControlRoutes(world: World): ControlRoute[] {
  return [
    {
      method: "POST",
      path: /^\/ec2\/vpcs$/,
      handle: (request) => {
        const { region, spec } = readVpcRequest(request.body);
        const { vpc, subnets, defaultSecurityGroup } = addVpc(world, region, spec);
        return {
          vpcId: vpc.vpcId,
          subnetIds: subnets.map((subnet) => subnet.subnetId),
          defaultSecurityGroupId: defaultSecurityGroup.groupId,
        };
      },
    },
  ];
}
