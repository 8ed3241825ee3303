# syntax=docker/dockerfile:1
# check=error=true;experimental=all
#
# One image for every process of stagelives; the command picks the process (docs/production.md):
#   router (default)  node --conditions=stagelives-dist router/dist/index.js
#   a subgraph        node --conditions=stagelives-dist subgraphs/<name>/dist/index.js   (users, concerts, setlists, articles, chat, notifications, moderation)
#   workers           node --conditions=stagelives-dist workers/dist/index.js
# Configuration comes only from the environment (MONGODB_URI, REDIS_URL, IDENTITY_SECRET, …);
# every process listens on port 4000 of the container (PORT, SUBGRAPH_PORT and WORKERS_PORT below).
# Linted without a Docker engine by `npm run deploy:check` (BuildKit's own checks, tools/dockerfile-lint);
# test/production/ starts the runtime command from a production build.

# NODE_IMAGE is the base of both stages: the Node release the project is tested on (CI: .ci/run, Node 24.21.0).
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# build installs every dependency, compiles (tsc) and builds the explorer's assets.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# npm ci reads every workspace's manifest (the lock file names them all).
COPY package.json package-lock.json ./
COPY platform/package.json platform/
COPY schema/package.json schema/
COPY subgraphs/users/package.json subgraphs/users/
COPY subgraphs/concerts/package.json subgraphs/concerts/
COPY subgraphs/setlists/package.json subgraphs/setlists/
COPY subgraphs/moderation/package.json subgraphs/moderation/
COPY subgraphs/articles/package.json subgraphs/articles/
COPY subgraphs/chat/package.json subgraphs/chat/
COPY subgraphs/notifications/package.json subgraphs/notifications/
COPY router/package.json router/
COPY workers/package.json workers/
COPY test/package.json test/
COPY tools/devkit/package.json tools/devkit/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.build.json ./
COPY scripts/build.mjs scripts/check-supergraph.mjs scripts/
COPY schema/ schema/
COPY platform/src/ platform/src/
COPY subgraphs/ subgraphs/
COPY router/src/ router/src/
COPY workers/src/ workers/src/
RUN npm run build

# runtime holds production dependencies and the build only, run as a non-root user.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=4000 \
    SUBGRAPH_PORT=4000 \
    SUBGRAPH_HOST=0.0.0.0 \
    WORKERS_PORT=4000 \
    WORKERS_HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
COPY platform/package.json platform/
COPY schema/package.json schema/
COPY subgraphs/users/package.json subgraphs/users/
COPY subgraphs/concerts/package.json subgraphs/concerts/
COPY subgraphs/setlists/package.json subgraphs/setlists/
COPY subgraphs/moderation/package.json subgraphs/moderation/
COPY subgraphs/articles/package.json subgraphs/articles/
COPY subgraphs/chat/package.json subgraphs/chat/
COPY subgraphs/notifications/package.json subgraphs/notifications/
COPY router/package.json router/
COPY workers/package.json workers/
COPY test/package.json test/
COPY tools/devkit/package.json tools/devkit/
# Only what the processes' packages need at run time: no dev tools, no test or devkit packages
# (`-w subgraphs` selects every workspace in that folder).
RUN npm ci --omit=dev --no-audit --no-fund \
      -w platform -w schema -w router -w workers -w subgraphs \
    && npm cache clean --force
COPY --from=build /app/platform/dist/ platform/dist/
COPY --from=build /app/schema/dist/ schema/dist/
COPY --from=build /app/subgraphs/users/dist/ subgraphs/users/dist/
COPY --from=build /app/subgraphs/concerts/dist/ subgraphs/concerts/dist/
COPY --from=build /app/subgraphs/setlists/dist/ subgraphs/setlists/dist/
COPY --from=build /app/subgraphs/moderation/dist/ subgraphs/moderation/dist/
COPY --from=build /app/subgraphs/articles/dist/ subgraphs/articles/dist/
COPY --from=build /app/subgraphs/chat/dist/ subgraphs/chat/dist/
COPY --from=build /app/subgraphs/notifications/dist/ subgraphs/notifications/dist/
COPY --from=build /app/router/dist/ router/dist/
COPY --from=build /app/router/.explorer/ router/.explorer/
COPY --from=build /app/workers/dist/ workers/dist/
# Read at run time: the composed supergraph (the router), the client contract (OPERATIONS=trusted).
COPY schema/supergraph.graphql schema/
COPY contract/ contract/
COPY scripts/healthcheck.mjs scripts/
USER node
EXPOSE 4000
# /health/live on port 4000 of whichever process runs (no curl in slim images: node does it).
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 CMD ["node", "scripts/healthcheck.mjs"]
CMD ["node", "--conditions=stagelives-dist", "router/dist/index.js"]
