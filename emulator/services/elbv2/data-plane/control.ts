/**
 * The data plane's control route: `GET /_emulator/elbv2/listeners` lists every served listener with
 * its local URL (`?dnsName=` or `?loadBalancer=` narrows it), the way to go from an ALB's DNS name to
 * the address that serves it on this machine.
 */
import type { ControlRoute } from "../../../control.ts";
import type { LoadBalancerDataPlane } from "./data-plane.ts";

export function dataPlaneControlRoutes(dataPlane: LoadBalancerDataPlane): ControlRoute[] {
  return [
    {
      method: "GET",
      path: /^\/elbv2\/listeners$/,
      handle: (request) => {
        const dnsName = request.query.get("dnsName")?.toLowerCase();
        const name = request.query.get("loadBalancer");
        const region = request.query.get("region");
        return {
          listeners: dataPlane
            .listeners()
            .filter(
              (listener) =>
                (dnsName === undefined || listener.dnsName === dnsName) &&
                (name === null || listener.loadBalancer === name) &&
                (region === null || listener.region === region),
            ),
        };
      },
    },
  ];
}
