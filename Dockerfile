# One image for all Node services (ingest, twin-engine, sensors-sim); each runs a different command.
# syntax=docker/dockerfile:1

# --- build: install everything, build the viewer -------------------------------------------
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY schemas/package.json schemas/
COPY platform/package.json platform/
COPY sensors-sim/package.json sensors-sim/
COPY ingest/package.json ingest/
COPY twin-engine/package.json twin-engine/
COPY viewer/package.json viewer/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# --- runtime: production dependencies, sources (run through tsx), built viewer ----------------
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY schemas/package.json schemas/
COPY platform/package.json platform/
COPY sensors-sim/package.json sensors-sim/
COPY ingest/package.json ingest/
COPY twin-engine/package.json twin-engine/
COPY viewer/package.json viewer/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/schemas ./schemas
COPY --from=build /app/platform ./platform
COPY --from=build /app/sensors-sim ./sensors-sim
COPY --from=build /app/ingest ./ingest
COPY --from=build /app/twin-engine ./twin-engine
COPY --from=build /app/viewer/dist ./viewer/dist
USER node
# Override per service: see docker-compose.yml
CMD ["node", "--import", "tsx", "twin-engine/src/main.ts"]
