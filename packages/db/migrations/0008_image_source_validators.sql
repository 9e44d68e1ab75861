-- A repeat conversion of the same article and URL asks the source whether it changed
-- (If-None-Match / If-Modified-Since) and compares the bytes' sha256 before decoding anything.
alter table images
  add column source_etag text,
  add column source_last_modified text,
  add column source_sha256 text;
