-- Users of the gateway: inline credentials, Basic and JWT all resolve to a row here.
create table users (
  id            bigint generated always as identity primary key,
  username      text not null unique,
  password_hash text not null,
  role          text not null default 'user' check (role in ('admin', 'user')),
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);

-- Every stored image: posted by URL for an article, or uploaded directly (article_id null).
-- One table and one id space for both. `data` is bytea (TOASTed out of line), never base64.
create table images (
  id             bigint generated always as identity primary key,
  article_id     text unique,
  owner_id       bigint references users (id) on delete set null,
  source_url     text,
  source_format  text not null,
  source_bytes   integer not null,
  source_width   integer not null,
  source_height  integer not null,
  content_type   text not null default 'image/jpeg',
  bytes          integer not null,
  width          integer not null,
  height         integer not null,
  quality        smallint,
  encodes        smallint not null default 0,
  sha256         text not null,
  data           bytea not null,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  constraint images_bytes_match check (bytes = octet_length(data))
);

create index images_owner_id_idx on images (owner_id);
