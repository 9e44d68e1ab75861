# One image recipe for both services: docker compose builds it with SERVICE=admin-auth or img-converter.
FROM node:24-bookworm-slim
ARG SERVICE
RUN test -n "$SERVICE" || (echo "build with --build-arg SERVICE=admin-auth|img-converter" && false)
# corepack's registry signature check is not reliable behind mirrors; npm is.
RUN npm install -g pnpm@10.34.9
WORKDIR /app

# Manifests first: the dependency layer is rebuilt only when they change.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY packages/config/package.json packages/config/
COPY packages/db/package.json packages/db/
COPY packages/engine/package.json packages/engine/
COPY packages/errors/package.json packages/errors/
COPY packages/fastify-kit/package.json packages/fastify-kit/
COPY packages/logging/package.json packages/logging/
COPY services/${SERVICE}/package.json services/${SERVICE}/
RUN pnpm install --frozen-lockfile --prod --filter "@belfoot/${SERVICE}..."

COPY packages/config packages/config
COPY packages/db packages/db
COPY packages/engine/src packages/engine/src
COPY packages/errors packages/errors
COPY packages/fastify-kit packages/fastify-kit
COPY packages/logging packages/logging
COPY services/${SERVICE} services/${SERVICE}

# Logs go to a volume both services share, so the gateway's /info and /error can read them.
RUN mkdir -p /var/log/belfoot && chown node:node /var/log/belfoot
ENV NODE_ENV=production LOG_DIR=/var/log/belfoot
USER node
WORKDIR /app/services/${SERVICE}
CMD ["node", "--import", "tsx", "src/main.ts"]
