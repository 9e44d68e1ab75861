#!/usr/bin/env bash
# What the Dockerfiles ship, checked without a Docker engine: `pnpm build`, the same production install
# (pnpm deploy --prod, flat node_modules) into a scratch folder per service, both services started from
# there with plain `node dist/main.js` on a fresh database, then GET /ready and one conversion.
# Needs DATABASE_URL (a server where it may create a database).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?DATABASE_URL must point at a PostgreSQL server}"

scratch=$(mktemp -d /tmp/belfoot-prod-XXXXXX)
pids=()
trap 'rm -rf "$scratch"' EXIT

pnpm build
for service in admin-auth img-converter; do
  pnpm --filter "@belfoot/$service" --config.node-linker=hoisted deploy --prod --legacy "$scratch/$service" >/dev/null
done

# Nothing of the workspace's TypeScript tooling may be needed at run time.
for service in admin-auth img-converter; do
  test ! -e "$scratch/$service/node_modules/tsx" || { echo "tsx shipped with $service"; exit 1; }
done

free_port() { node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
db_name="belfoot_prod_$RANDOM$RANDOM"
server_url="${DATABASE_URL%/*}"
(cd "$scratch/img-converter" && node --input-type=module -e "
  import postgres from 'postgres';
  const sql = postgres('$server_url/postgres', { max: 1, onnotice: () => {} });
  await sql.unsafe('create database $db_name');
  await sql.end();")
drop_db() {
  (cd "$scratch/img-converter" && node --input-type=module -e "
    import postgres from 'postgres';
    const sql = postgres('$server_url/postgres', { max: 1, onnotice: () => {} });
    await sql.unsafe('drop database if exists $db_name with (force)');
    await sql.end();") || true
}
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  drop_db
  rm -rf "$scratch"
}
trap cleanup EXIT

# The source: one corpus photo from a local server the converter is allowed to fetch from.
image_port=$(free_port)
mkdir -p "$scratch/images"
cp ../shared/corpus/public/skimage-coffee.png "$scratch/images/coffee.png" 2>/dev/null ||
  node -e 'require("fs").writeFileSync(process.argv[1], Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC","base64"))' "$scratch/images/coffee.png"
(cd "$scratch/images" && exec node -e '
  const fs = require("fs");
  require("http").createServer((req, res) => {
    res.writeHead(200, { "content-type": "image/png" }).end(fs.readFileSync("coffee.png"));
  }).listen(Number(process.argv[1]), "127.0.0.1");' "$image_port") &
pids+=($!)

port=$(free_port)
converter_port=$(free_port)
export NODE_ENV=production LOG_LEVEL=warn
export DATABASE_URL="$server_url/$db_name" DATA_DIR="$scratch/data" LOG_DIR="$scratch/data/logs"
export INTERNAL_TOKEN=$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')
export JWT_SECRET=$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')
export LINK_SIGNING_KEY=$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')
export WEBHOOK_SECRET="whsec_$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))')"
export ADMIN_USERNAME=admin ADMIN_PASSWORD=admin-password-smoke
export PORT=$port CONVERTER_PORT=$converter_port CONVERTER_URL="http://127.0.0.1:$converter_port"
export METRICS_PORT=0 CONVERTER_METRICS_PORT=0 ALLOW_PRIVATE_SOURCES="127.0.0.1:$image_port"
mkdir -p "$DATA_DIR"
(cd "$scratch/img-converter" && exec node dist/main.js) &
pids+=($!)
(cd "$scratch/admin-auth" && exec node dist/main.js) &
pids+=($!)

ready=""
for _ in $(seq 1 300); do
  if ready=$(curl -fsS "http://127.0.0.1:$port/ready" 2>/dev/null); then break; fi
  sleep 0.2
done
echo "GET /ready: ${ready:-no answer}"
[[ "$ready" == *'"database":true'* && "$ready" == *'"converter":true'* ]] || exit 1

answer=$(curl -sS -w ' %{http_code}' -H 'content-type: application/json' \
  -d "{\"user\":{\"username\":\"admin\",\"password\":\"admin-password-smoke\"},\"data\":{\"url\":\"http://127.0.0.1:$image_port/coffee.png\",\"article_id\":\"SMOKE-1\"}}" \
  "http://127.0.0.1:$port/convert")
echo "POST /convert: $answer"
[[ "$answer" == *' 201' ]] || exit 1
echo "production build: both services run from the deployed folders"
