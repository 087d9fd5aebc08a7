# The creditlink API image.  Build: docker build -t creditlink .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CREDITLINK_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph ./graph
COPY ingest ./ingest
COPY queries ./queries
COPY api ./api
COPY viz ./viz
RUN pip install --no-cache-dir . \
    && useradd --system --uid 10001 creditlink \
    && mkdir -p /data && chown creditlink /data

USER creditlink
VOLUME ["/data"]
EXPOSE 8000
CMD ["creditlink", "serve", "--host", "0.0.0.0", "--port", "8000"]
