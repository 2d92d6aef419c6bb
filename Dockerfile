# syntax=docker/dockerfile:1
# Build stage: the same install, typecheck and build CI runs.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run typecheck && npm run build && npm prune --omit=dev

# Runtime stage: compiled JavaScript and production dependencies only, as a non-root user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=3000 DATA_DIR=/data
WORKDIR /app
# The fax channel's document tools (the same Debian packages `npm run services:install` adds for the tests):
# PDF/TIFF pages (poppler-utils, libtiff-tools), OCR in Chinese and English (tesseract), CJK fonts for fax replies.
RUN apt-get update \
  && apt-get install -y --no-install-recommends poppler-utils libtiff-tools tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng fonts-noto-cjk \
  && rm -rf /var/lib/apt/lists/*
RUN mkdir -p /data && chown node:node /data
COPY --from=build --chown=node:node /app/package.json /app/package-lock.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# The browser bundles: the chat widget (/widget.js) and the agent console (/console).
COPY --from=build --chown=node:node /app/web/widget/dist ./web/widget/dist
COPY --from=build --chown=node:node /app/web/console/dist ./web/console/dist
USER node
EXPOSE 3000
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/src/main.js"]
