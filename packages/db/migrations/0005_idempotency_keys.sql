-- Idempotency-Key on POST /convert and /convert/batch: the first answer, replayed for 24 hours to a
-- retry with the same key and body from the same account. `status` is null while the first request
-- is still being answered.
create table idempotency_keys (
  owner_id      bigint not null references users (id) on delete cascade,
  key           text not null,
  request_hash  text not null,
  status        integer,
  headers       jsonb,
  body          bytea,
  created_at    timestamptz not null default now(),
  primary key (owner_id, key)
);

create index idempotency_keys_created_idx on idempotency_keys (created_at);
