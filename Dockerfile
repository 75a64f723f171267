# The controller's image. Build from the repository root: docker build -t ecs-converge .
# Run: docker run -v "$PWD/specs:/config:ro" -e AWS_REGION=... ecs-converge
# Node 24 runs the TypeScript sources directly, so the image holds the sources and production dependencies only.
# RUN lines use paths relative to WORKDIR: test/docker-images.test.ts replays these steps outside Docker.

FROM node:24-alpine AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency of the controller needs an install script (the Node 24 dev dependency does,
# but the image has its own Node 24).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-alpine
ENV NODE_ENV=production
# V8 sized for a long-running daemon: a small young generation and a capped old one keep a fleet of a
# thousand services at about 230 MB instead of 470 (70–110 MB of it live: raise the cap for larger fleets).
ENV NODE_OPTIONS="--max-semi-space-size=1 --max-old-space-size=256"
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY package.json ./
COPY specs ./specs
COPY controller ./controller
COPY emulator ./emulator
RUN mkdir -p bin && ln -s ../controller/cli/main.ts bin/ecs-converge
ENV PATH=/app/bin:$PATH
# The files stay owned by root: the controller cannot modify its own code.
USER node
# V8's code cache, written here once: the daemon starts from compiled code instead of parsing the AWS SDK's
# bundles, which is faster and leaves about 25 MB less memory in it for as long as it runs. Node keys the
# cache by its version, the V8 flags and the user, so it is written under NODE_OPTIONS above, as `node`.
ENV NODE_COMPILE_CACHE=/home/node/.cache/ecs-converge
RUN ecs-converge --version
ENTRYPOINT ["ecs-converge"]
CMD ["run", "-f", "/config/service.yaml"]
