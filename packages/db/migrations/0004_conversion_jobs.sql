-- Asynchronous conversions: what the API answers from (GET /jobs/:id). pg-boss delivers the work;
-- this row is the job's record, written in the same transactions as the queue's own rows.
create table conversion_jobs (
  id            uuid primary key,
  owner_id      bigint not null references users (id) on delete cascade,
  article_id    text not null,
  url           text not null,
  callback_url  text,
  state         text not null default 'queued'
                check (state in ('queued', 'active', 'completed', 'failed')),
  attempts      integer not null default 0,
  -- The synchronous answer's body (status included), exactly as POST /convert would have sent it.
  result        jsonb,
  -- {status, code, message} of the last failure; kept while a retry is queued.
  error         jsonb,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  finished_at   timestamptz
);

-- Keyset listing and the per-account count of unfinished jobs (MAX_QUEUED_PER_USER).
create index conversion_jobs_owner_idx on conversion_jobs (owner_id, created_at);
create index conversion_jobs_unfinished_idx on conversion_jobs (owner_id) where state in ('queued', 'active');
