# syntax=docker/dockerfile:1
# Node 24 LTS (the line CI tests besides the machine's Node; see README "Requirements").
# Build stage: full image (python3, make, g++) for better-sqlite3's native module.
FROM node:24-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# npm run build: the TypeScript, then the evidence view's browser assets (esbuild, into dist/evidence).
RUN npm run build && npm prune --omit=dev

# Runtime stage: slim, non-root, only production dependencies and compiled code.
FROM node:24-bookworm-slim
ENV NODE_ENV=production PORT=8080
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
COPY --chown=node:node cards ./cards
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# Same node flags as `npm start` (a test keeps them equal); see README "Performance" for why.
CMD ["node", "--max-semi-space-size=64", "dist/src/server.js"]
